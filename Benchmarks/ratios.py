"""What chart.py and targets.py share: how Net compares with another implementation on one row."""

# Units where a smaller number is better (latency, memory): the ratio is then other/Net.
LOWER_IS_BETTER = {"us", "B/conn", "instr/conn", "instr/rt", "allocs/conn", "allocs/rt"}


def ratio(net, other, unit):
    """Net against `other` so that above 1 means Net is better: Net/other for rates, other/Net for the
    units in LOWER_IS_BETTER. None when either value is missing or not positive."""
    if not net or not other or net <= 0 or other <= 0:
        return None
    return other / net if unit in LOWER_IS_BETTER else net / other
