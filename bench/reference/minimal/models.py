"""The least a payment needs: a balance to lock and debit, and three rows that record it."""

from django.db import models


class Balance(models.Model):
    amount = models.BigIntegerField()  # tyiyn

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(amount__gte=0), name="minimal_balance_not_negative")]

    def __str__(self) -> str:
        return f"balance {self.pk}: {self.amount}"


class Posting(models.Model):
    balance = models.ForeignKey(Balance, on_delete=models.PROTECT, related_name="postings")
    amount = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"posting {self.pk}"


class Transfer(models.Model):
    posting = models.ForeignKey(Posting, on_delete=models.PROTECT, related_name="transfers")
    amount = models.BigIntegerField()
    kind = models.CharField(max_length=16)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"transfer {self.pk}"


class Sms(models.Model):
    posting = models.ForeignKey(Posting, on_delete=models.PROTECT, related_name="sms")
    text = models.CharField(max_length=160)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"sms {self.pk}"
