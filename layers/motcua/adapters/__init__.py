"""Adapters: the ports implemented on AWS services through boto3."""
