"""Digitally signed results (chữ ký số, PAdES) whose private keys never leave KMS, and their verification."""
