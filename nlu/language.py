"""Indonesian or English? Decided per message, only when the evidence is clear.

lingua ships its models inside the wheel (no downloads) and is accurate on short text;
restricted to the two languages we serve. Short chat messages ("ok", "hi", "583920")
carry little evidence, so we return None and the caller keeps the current language.
Informal Indonesian words that lingua has rarely seen ("gak", "udah", "kak") count
as strong Indonesian evidence.
"""

from __future__ import annotations

import re
from functools import lru_cache

from lingua import Language, LanguageDetector, LanguageDetectorBuilder

SUPPORTED = ("en", "id")

# Chat Indonesian that formal-text models underweight.
_INFORMAL_ID = {
    "kak", "ka", "kk", "min", "gan", "sis", "gak", "ga", "gk", "nggak", "ngga", "enggak",
    "udah", "udh", "dah", "dong", "sih", "nih", "deh", "yg", "blm", "belom", "tdk", "gmn",
    "gimana", "brp", "knp", "kenapa", "aja", "kok", "banget", "bgt", "mau", "gw", "gue",
    "aku", "saya", "tolong", "makasih", "terima", "kasih", "pesanan", "barang", "kapan",
    "sampai", "sampe", "bisa", "apa", "ya", "iya", "yuk", "halo", "hai", "selamat", "pagi",
    "siang", "sore", "malam", "mas", "mbak", "pak", "bu", "tp", "tapi", "klo", "kalo",
    "tidak", "sudah", "belum", "ini", "itu", "dan", "yang", "untuk", "sama", "dengan",
}
_ENGLISH_MARKERS = {
    "the", "is", "my", "i", "you", "please", "thanks", "thank", "hello", "hi", "hey",
    "where", "what", "when", "how", "can", "order", "want", "need", "not", "yes", "no",
    "it", "to", "was", "bye", "goodbye", "help",
}
_WORD_RE = re.compile(r"[^\W\d_]+", re.UNICODE)
# Emails, links, order numbers and phone numbers say nothing about the language
# ("salah@example.com" is not English).
_NOT_LANGUAGE_RE = re.compile(r"\S*@\S*|https?://\S+|www\.\S+|\S*\d\S*", re.IGNORECASE)


@lru_cache(maxsize=1)
def _detector() -> LanguageDetector:
    return LanguageDetectorBuilder.from_languages(Language.ENGLISH, Language.INDONESIAN).build()


# Words that only a sentence has. Names, addresses ("Jl. Kebon Jeruk Raya 27, Jakarta
# Barat"), order numbers and emails have none, so they never switch the language.
_ID_FUNCTION_WORDS = {
    "yang", "dan", "di", "ke", "dari", "saya", "aku", "gw", "gue", "mau", "ingin", "tidak",
    "gak", "ga", "gk", "nggak", "ngga", "enggak", "apa", "apakah", "ini", "itu", "sudah", "udah",
    "udh", "belum", "blm", "bisa", "kak", "min", "dong", "ada", "kalau", "kalo", "klo", "untuk",
    "buat", "dengan", "sama", "berapa", "brp", "kapan", "gimana", "bagaimana", "tolong",
    "mohon", "terima", "makasih", "kasih", "sih", "nih", "deh", "ya", "kok", "aja", "saja",
    "juga", "lagi", "masih", "kenapa", "knp", "gmn", "tapi", "atau", "boleh", "punya", "kami",
    "kita", "kamu", "anda", "nya", "pesanan", "barang",
}
_EN_FUNCTION_WORDS = {
    "the", "is", "are", "am", "my", "i", "you", "your", "to", "of", "can", "could", "do",
    "does", "did", "what", "where", "when", "how", "why", "please", "it", "this", "that",
    "and", "for", "with", "have", "has", "was", "will", "would", "not", "me", "a", "an",
    "want", "need", "there", "yet", "still", "thanks", "thank", "be", "been", "just", "if",
}
# Fewer words than this never switch an established language ("ok", "ya", "sip", "thank you").
MIN_WORDS_TO_SWITCH = 3


def _language_words(text: str) -> list[str]:
    return [w.lower() for w in _WORD_RE.findall(_NOT_LANGUAGE_RE.sub(" ", text or ""))]


def detect_language(text: str, min_confidence: float = 0.75, min_words: int = 1) -> str | None:
    """'id', 'en', or None when the message is too short, mixed or not a sentence."""
    words = _language_words(text)
    if len(words) < min_words or not words:
        return None
    informal = sum(w in _INFORMAL_ID for w in words)
    english = sum(w in _ENGLISH_MARKERS for w in words)
    if len(words) == 1:
        # One word decides only when it is unmistakable chat Indonesian or English.
        if informal and not english:
            return "id"
        if english and not informal:
            return "en"
        return None
    confidences = {
        c.language: c.value for c in _detector().compute_language_confidence_values(" ".join(words))
    }
    indonesian = confidences.get(Language.INDONESIAN, 0.0)
    # Each informal Indonesian word shifts the balance, capped so English sentences with one
    # Indonesian loanword stay English.
    indonesian = min(1.0, indonesian + 0.15 * informal - 0.1 * english)
    if indonesian >= min_confidence and any(w in _ID_FUNCTION_WORDS for w in words):
        return "id"
    if 1.0 - indonesian >= min_confidence and any(w in _EN_FUNCTION_WORDS for w in words):
        return "en"
    return None


def choose_language(text: str, current: str | None, hint: str | None, default: str,
                    collecting_data: bool = False) -> str:
    """Switch only on a clear sentence in the other language; otherwise keep what we had.

    The first message may set the language from a single word ("halo", "hello"); after that
    it takes a sentence of MIN_WORDS_TO_SWITCH words, and never an answer to a data question
    (an address, a name, an email: `collecting_data`).
    """
    if current in SUPPORTED:
        if collecting_data:
            return current
        return detect_language(text, min_words=MIN_WORDS_TO_SWITCH) or current
    detected = detect_language(text)
    if detected:
        return detected
    hint = (hint or "")[:2].lower()
    return hint if hint in SUPPORTED else default
