"""Email: outbound only, for website customers who asked for the reply by email."""
