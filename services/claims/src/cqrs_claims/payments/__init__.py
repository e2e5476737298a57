"""Approved claims go to the payment system (PCSE) in a daily batch; its answers mark them Paid."""
