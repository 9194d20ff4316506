import json

from django.core.management.base import CommandError
from django.utils import timezone

from core.management.base import DomainCommand
from sms.backends.base import masked_text
from sms.selectors import sms_list
from wallet.phone import phone_parse


class Command(DomainCommand):
    help = "List SMS queued or sent, newest first, optionally for one phone number (PINs and codes shown masked)."

    def add_arguments(self, parser):
        parser.add_argument("--phone", help="Only messages to this number, e.g. 0555123456")
        parser.add_argument("--json", action="store_true", help="One JSON array instead of lines of text")
        parser.add_argument("--limit", type=int, default=50, help="At most this many messages (default 50)")
        parser.add_argument(
            "--show-secrets",
            action="store_true",
            help="Show PINs and codes in clear while they wait for delivery (demo only; a delivered message keeps "
            "them starred)",
        )

    def handle(self, *args, **options):
        if options["limit"] < 1:
            raise CommandError("--limit must be at least 1")
        phone = phone_parse(options["phone"]).e164 if options["phone"] else None
        messages = list(sms_list(phone=phone)[: options["limit"]])

        def text(message):
            return message.text if options["show_secrets"] else masked_text(message)

        if options["json"]:
            rows = [
                {
                    "id": m.pk,
                    "phone": m.phone,
                    "kind": m.kind,
                    "status": m.status,
                    "text": text(m),
                    "attempts": m.attempts,
                    "created_at": m.created_at.isoformat(),
                    "sent_at": m.sent_at.isoformat() if m.sent_at else None,
                    "payment": m.payment.code if m.payment is not None else None,
                }
                for m in messages
            ]
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        if not messages:
            self.stdout.write("no messages")
        for m in messages:
            created = timezone.localtime(m.created_at)
            self.stdout.write(f"{created:%Y-%m-%d %H:%M:%S} {m.phone} {m.status:<7} {m.kind:<13} {text(m)}")
