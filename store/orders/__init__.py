"""The order store: orders, customers' change requests, demo data and the CSV importer.

Plain functions over a SQLAlchemy `Session`; the order-status actions call them and stay thin.
Nothing here touches the database at import time.
"""
