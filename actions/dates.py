"""Dates written the way customers read them, in Indonesian or English."""

from __future__ import annotations

from datetime import date

_MONTHS = {
    "id": ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
           "September", "Oktober", "November", "Desember"],
    "en": ["January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"],
}
_DAYS = {
    "id": ["Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"],
    "en": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
}


def format_date(day: date | None, language: str) -> str:
    """'Senin, 24 November 2026' / 'Monday 24 November 2026'; '-' when unknown."""
    if day is None:
        return "-"
    language = language if language in _MONTHS else "id"
    weekday = _DAYS[language][day.weekday()]
    separator = ", " if language == "id" else " "
    return f"{weekday}{separator}{day.day} {_MONTHS[language][day.month - 1]} {day.year}"
