"""Explicit requests for a person, read by rule as well as by the classifier.

"Never trap a customer": whoever plainly asks for a human ("I want to talk to a person",
"sambungkan ke CS", "bicara langsung dengan petugas") is handed over even when the
classifier hesitates between that and something else. Only explicit phrasings count; a
message that merely addresses the admin ("min, ongkir ke Bali berapa?") does not.
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
    re.compile(r"\b(human|live|real) (agent|person|being|support)\b"),
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


def asks_for_a_person(text: str) -> bool:
    """Whether the message plainly asks to be served by a person."""
    lowered = " ".join((text or "").lower().split())
    return any(pattern.search(lowered) for pattern in _PATTERNS)
