"""motcua — the one-stop (một cửa) e-government platform: domain, ports, adapters and configuration."""
