"""Evidence attachments of claims: upload to S3, list, download once clean, delete, scan status."""
