"""One feature form per word, so "dikirim", "pengiriman", "ngirim" and "kirimnya" look alike.

Customers write chat Indonesian ("udh", "gk", "pesenan", "ngirim") and English with every
inflection ("shipped", "shipping"). The word-level featurizer sees this normalised form
(the tokenizer stores it as the token's lemma); the character n-grams still see the raw
text, which keeps typos close to their word.

Steps: lowercase, collapse letters repeated three times or more ("tolonggg"), map slang and
common misspellings to the standard word, then stem: Sastrawi (dictionary-based Indonesian
affix removal) when it recognises a root, else Snowball's English stemmer.
"""

from __future__ import annotations

import re
from functools import lru_cache

# Chat spellings -> standard Indonesian (or the English word customers mean). One word
# for one word: the featurizer keeps one feature per token.
SLANG = {
    # negation and time
    "gak": "tidak", "ga": "tidak", "gk": "tidak", "ngga": "tidak", "nggak": "tidak",
    "enggak": "tidak", "engga": "tidak", "kagak": "tidak", "tdk": "tidak", "ndak": "tidak",
    "g": "tidak", "nda": "tidak", "gaada": "tidak", "udah": "sudah", "udh": "sudah",
    "dah": "sudah", "sdh": "sudah", "blm": "belum", "belom": "belum", "blum": "belum",
    "lg": "lagi", "lgi": "lagi", "skrg": "sekarang", "skrang": "sekarang", "kpn": "kapan",
    # question words
    "gmn": "bagaimana", "gimana": "bagaimana", "gmana": "bagaimana", "bgmn": "bagaimana",
    "brp": "berapa", "brapa": "berapa", "knp": "kenapa", "napa": "kenapa", "dmn": "mana",
    "dimana": "mana", "kemana": "mana", "mana": "mana", "apaan": "apa", "ap": "apa",
    # people and address terms
    "sy": "saya", "aku": "saya", "aq": "saya", "gw": "saya", "gue": "saya", "gua": "saya",
    "sya": "saya", "km": "kamu", "kmu": "kamu", "lu": "kamu", "lo": "kamu", "kak": "kakak",
    "ka": "kakak", "kk": "kakak", "kakak": "kakak", "sis": "kakak", "gan": "kakak",
    "min": "admin", "mimin": "admin", "mins": "admin", "cs": "cs",
    # shop words
    "pesenan": "pesanan", "pesanannya": "pesanan", "orderan": "order", "ordernya": "order",
    "paket": "paket", "pakets": "paket", "brg": "barang", "brng": "barang", "barangnya": "barang",
    "ongkir": "ongkir", "ongkirnya": "ongkir", "no": "nomor", "nmr": "nomor", "nomer": "nomor",
    "resi": "resi", "ngirim": "kirim", "kirimin": "kirim", "dikirimin": "kirim",
    "nyampe": "sampai", "sampe": "sampai", "nyampai": "sampai", "smpe": "sampai",
    "balikin": "kembali", "dibalikin": "kembali", "ngembaliin": "kembali", "dibalikan": "kembali",
    "bayarnya": "bayar", "byr": "bayar", "tf": "transfer", "trf": "transfer",
    "duit": "uang", "dana": "uang", "refundnya": "refund", "rusak": "rusak",
    "cancelin": "cancel", "cancell": "cancel", "cancle": "cancel", "cencel": "cancel",
    "batalin": "batal", "dibatalin": "batal", "gnti": "ganti", "gantiin": "ganti",
    "almt": "alamat", "alamt": "alamat", "hp": "hp", "wa": "whatsapp", "email": "email",
    "e-mail": "email", "pw": "password", "pass": "password", "passwd": "password",
    # politeness and chat particles
    "makasih": "terima", "makasi": "terima", "mksh": "terima", "trims": "terima",
    "trimakasih": "terima", "terimakasih": "terima", "tq": "thanks", "ty": "thanks",
    "thx": "thanks", "thanx": "thanks", "tks": "thanks", "tengkyu": "thanks", "thank": "thanks",
    "tolongin": "tolong", "tlg": "tolong", "tlong": "tolong", "bs": "bisa", "bsa": "bisa",
    "mo": "mau", "pengen": "ingin", "pingin": "ingin", "yg": "yang", "dgn": "dengan",
    "utk": "untuk", "buat": "untuk", "krn": "karena", "karna": "karena", "tp": "tapi",
    "klo": "kalau", "kalo": "kalau", "kl": "kalau", "jg": "juga", "aja": "saja", "aj": "saja",
    "bgt": "banget", "bngt": "banget", "emg": "memang", "emang": "memang",
    # English chat spellings
    "u": "you", "ur": "your", "pls": "please", "plz": "please", "pleas": "please",
    "wanna": "want", "gonna": "going", "dont": "don't", "cant": "can't", "im": "i'm",
    "wheres": "where", "whats": "what", "hows": "how", "ordr": "order", "oder": "order",
    "packge": "package", "pakage": "package", "delivry": "delivery", "shiping": "shipping",
    "adress": "address", "addres": "address", "refnd": "refund", "recieve": "receive",
    "recieved": "received", "arive": "arrive", "arrivd": "arrived", "becuase": "because",
    "asap": "asap", "agent": "agent", "human": "human",
}

_REPEATS = re.compile(r"(.)\1{2,}")
_WORD = re.compile(r"^[^\W\d_]+(?:[-'][^\W\d_]+)*$")


@lru_cache(maxsize=1)
def _indonesian_stemmer():  # noqa: ANN202 - Sastrawi has no type hints
    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

    return StemmerFactory().create_stemmer()


@lru_cache(maxsize=1)
def _english_stemmer():  # noqa: ANN202 - snowballstemmer has no type hints
    import snowballstemmer

    return snowballstemmer.stemmer("english")


@lru_cache(maxsize=50_000)
def normalise_word(word: str) -> str:
    """The feature form of one word; numbers, emails and symbols come back lowercased."""
    lowered = _REPEATS.sub(r"\1", word.lower())
    # Every order number looks alike to the classifier, as does every survey score.
    if lowered.isdigit() and len(lowered) == 6:
        return "<order_number>"
    if lowered.isdigit() and len(lowered) == 1:
        return "<digit>"
    if not _WORD.match(lowered):
        return lowered
    standard = SLANG.get(lowered, lowered)
    # Reduplication ("barang-barang", "cepet-cepet") carries the meaning of the base word.
    base, _, rest = standard.partition("-")
    if rest == base:
        standard = base
    stemmed = _indonesian_stemmer().stem(standard)
    if stemmed and stemmed != standard:
        return stemmed
    return _english_stemmer().stemWord(standard)
