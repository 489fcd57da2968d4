"""Roles of agency staff (vai trò cán bộ)."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    RECEIVER = "receiver"  # cán bộ tiếp nhận (bộ phận một cửa)
    OFFICER = "officer"  # chuyên viên xử lý
    LEADER = "leader"  # lãnh đạo
    ADMIN = "admin"
