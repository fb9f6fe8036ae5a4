"""Custom actions of the Toko Nusa assistant (served by `rasa run actions`)."""
