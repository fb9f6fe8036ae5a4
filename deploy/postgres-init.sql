-- Run by the postgres image on its first start (an empty data volume): Rasa's tracker store
-- gets a database of its own beside the shop's (docs/production.md).
CREATE DATABASE rasa OWNER shop;
