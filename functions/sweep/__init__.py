"""The sweep function: once a day, escalates work falling due and apologises for missed dates (Mẫu 04)."""
