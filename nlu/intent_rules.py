"""Phrases read by rule as well as by the classifier, where a miss would trap the customer.

- A plain request for a person ("I want to talk to a person", "sambungkan ke CS",
  "bicara langsung dengan petugas") is handed over even when the classifier hesitates.
  Only explicit phrasings count; addressing the admin ("min, ongkir ke Bali berapa?")
  does not.
- An order request without the number ("I want to cancel but I don't have the order
  number", "mau ganti alamat tp lupa no pesanannya") goes to the lookup by email and
  phone instead of asking for the number the customer just said they do not have.
"""

from __future__ import annotations

import re

_PEOPLE_EN = (r"(a |an |the |your |some |real |live |actual )*(human|person|people|agent|someone|"
              r"somebody|staff|operator|representative|rep|customer (service|support|care)|"
              r"support team|cs|manager|supervisor|team member)\b")
_PEOPLE_ID = (r"(dengan |sama |ke |dgn |sm |ama )?(seorang )?(orang|manusia|petugas|agen|agent|"
              r"operator|staf|staff|cs|customer service|admin|tim cs|pegawai|karyawan)\b")

_PATTERNS = [
    # "talk to a person", "speak with someone", "connect me to an agent", "get me a human"
    re.compile(r"\b(talk|speak|chat|connect|transfer|put|get|reach|contact|call)\w*\b"
               r"( me)?( (to|with|through to))? " + _PEOPLE_EN),
    re.compile(r"^\W*(a |an )?(human|live|real) (agent|person|being|support)\W*"
               r"( please| pls| plz)?\W*$"),
    re.compile(r"^\W*(agent|human|operator|representative|live agent|cs|customer service)"
               r"(,? please| pls| plz)?\W*$"),
    # "bicara langsung dengan petugas", "sambungkan ke CS", "mau ngobrol sama orang"
    re.compile(r"\b(bicara|berbicara|ngomong|ngobrol|omong|hubungi|hubungin|hubungkan|"
               r"dihubungkan|sambungkan|sambungin|disambungkan|sambung|telepon|telpon|"
               r"ditelepon|ditelpon)\b( langsung| aja| dong| saja)? " + _PEOPLE_ID),
    re.compile(r"\b(orang|manusia|admin|cs|petugas) (asli|beneran|sungguhan|betulan|nyata)\b"),
    re.compile(r"\b(minta|mau|pengen|ingin|butuh)( dilayani| dibantu)? "
               r"(oleh |sama |dgn |dengan )?(orang|manusia|petugas|agen|operator|cs)"
               r"( asli| beneran)?"
               r"( aja| saja| dong| ya| deh| kak| min| please| pls)*\W*$"),
]


# "Am I talking to a person?", "is this a real person", "ini orang beneran?": asking what
# the assistant is (bot_challenge), not asking for someone.
_ASKS_WHAT_IT_IS = re.compile(
    r"^\W*(am i|are you|r u|is this|is it|is that|who am i|apa ini|apakah ini|apakah saya|"
    r"apakah kamu|apakah anda|ini|kamu|anda|lagi)\b")


def asks_for_a_person(text: str) -> bool:
    """Whether the message plainly asks to be served by a person."""
    lowered = " ".join((text or "").lower().split())
    if _ASKS_WHAT_IT_IS.search(lowered):
        return False
    return any(pattern.search(lowered) for pattern in _PATTERNS)


_NUMBER_EN = r"(order |tracking |invoice )?(number|no\.?|id|#)"
_NUMBER_ID = (r"(no\.?|nomor|nomer|nmr|kode|id)(?! (hp|handphone|telepon|telp|wa|whatsapp|"
              r"rekening|rek|akun|kartu|ktp|resi))( pesanan| pesenan| order| orderan| invoice)?")
_NO_ORDER_NUMBER = [
    re.compile(r"\b(don'?t|do not|didn'?t|never|can'?t|cannot|couldn'?t) (have|know|remember|"
               r"recall|find|got|get|see)\b.{0,25}\b" + _NUMBER_EN + r"(?!\w)"),
    re.compile(r"\b(forgot|forget|forgotten|lost|misplaced|deleted)\b.{0,25}\b" + _NUMBER_EN
               + r"(?!\w)"),
    re.compile(r"\b(without|no) (the |an |my |any )?order (number|no|id)\b"),
    re.compile(r"\b(lupa|ga tau|gak tau|nggak tau|ngga tau|gatau|gk tau|tidak tahu|ga punya|"
               r"gak punya|nggak punya|gk punya|tidak punya|ga ada|gak ada|nggak ada|tidak ada|"
               r"hilang|ilang|kehapus|terhapus|ga inget|gak inget|nggak inget|tidak ingat|"
               r"ga nemu|gak nemu|tidak menemukan)\b.{0,20}\b" + _NUMBER_ID + r"(nya)?\b"),
    re.compile(r"\b" + _NUMBER_ID + r"(nya)? (saya |aku |gue |gw )?(lupa|hilang|ilang|"
               r"kehapus|terhapus|ga tau|gak tau|nggak tau|tidak tahu)\b"),
    re.compile(r"\btanpa " + _NUMBER_ID + r"\b"),
]


def lacks_order_number(text: str) -> bool:
    """Whether the customer says they do not have (or forgot) the order number."""
    lowered = " ".join((text or "").lower().split())
    return any(pattern.search(lowered) for pattern in _NO_ORDER_NUMBER)


_THANKS = re.compile(r"\b(makasih|makasi|mksh|makasiih|terima ?kasih|trims|trimakasih|tengkyu|"
                     r"thx|thanks|thank you|thank u|thankyou|ty|tq|tysm|cheers|nuhun|suwun)\b")
# A thanks with a question or a new request is answered first, never taken for a closing.
_ASKS_SOMETHING = re.compile(
    r"\?|\b(how|what|when|where|why|which|can you|could you|would you|please|pls|tolong|"
    r"gimana|gmn|bagaimana|berapa|brp|kapan|kenapa|knp|dimana|di mana|mana|apa|apakah|"
    r"mau tanya|mau nanya|boleh)\b")
MAX_THANKS_WORDS = 10


def just_thanks(text: str) -> bool:
    """A short thanks that asks nothing ("oh it's in spam haha, thanks", "udh bisa wkwk
    makasih"): laughter and small talk around it made the classifier call it off-topic,
    and the customer got the scope line instead of the closing survey."""
    lowered = " ".join((text or "").lower().split())
    return (len(lowered.split()) <= MAX_THANKS_WORDS and bool(_THANKS.search(lowered))
            and not _ASKS_SOMETHING.search(lowered))
