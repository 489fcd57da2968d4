"""The platform's documents as PDFs: the one-stop forms (Mẫu 01–05, Circular 01/2018) and the result."""
