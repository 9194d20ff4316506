"""How long a USSD screen is on the air: 160 octets, i.e. 182 GSM 7-bit characters or 80 UCS-2 ones."""

USSD_OCTETS = 160
GSM7_LIMIT = USSD_OCTETS * 8 // 7  # 182 septets
UCS2_LIMIT = USSD_OCTETS // 2  # 80 UTF-16 code units

# GSM 03.38 basic character set, and the extension table whose characters take two septets (escape + char).
GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = set("^{}\\[~]|€\f")


def gsm7_septets(text: str) -> int | None:
    """Septets the text needs in GSM 7-bit, or None when a character is outside the alphabet."""
    septets = 0
    for char in text:
        if char in GSM7_BASIC:
            septets += 1
        elif char in GSM7_EXTENDED:
            septets += 2
        else:
            return None
    return septets


def screen_size(text: str) -> tuple[str, int, int]:
    """(encoding, length in that encoding's units, limit)."""
    septets = gsm7_septets(text)
    if septets is not None:
        return "gsm7", septets, GSM7_LIMIT
    return "ucs2", len(text.encode("utf-16-le")) // 2, UCS2_LIMIT


def screen_fits(text: str) -> bool:
    _encoding, length, limit = screen_size(text)
    return length <= limit
