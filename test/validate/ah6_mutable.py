"""validate_scapy_ah6_mutable: AH's mutable fields over IPv6 (RFC 4302
§3.3.3.1.2) as ah_ipv6_zero_mutable computes them, against scapy's
zero_mutable_fields, for headers scapy builds: traffic class, flow label,
hop limit, hop-by-hop and destination options with and without the
"may change" bit, and Routing headers arranged as they will arrive.
A sender's Routing header has every segment left (scapy's sending mode
arranges all addresses whatever Segments Left says; RFC 8200 §4.4 only
those left, which is what we do).

usage: ah6_mutable.py AH6_ZERO_PROGRAM"""
import subprocess
import sys

from scapy.layers.inet import UDP
from scapy.layers.inet6 import (IPv6, IPv6ExtHdrDestOpt, IPv6ExtHdrHopByHop,
                                IPv6ExtHdrRouting, HBHOptUnknown, PadN,
                                RouterAlert)
from scapy.layers.ipsec import AH, zero_mutable_fields
from scapy.packet import Raw, raw


def ah():
    return AH(spi=0x1000, seq=7, icv=b"\x11" * 16) / UDP(sport=1, dport=2) / Raw(b"x" * 5)


BASE = dict(src="2001:db8::1", dst="2001:db8::2", tc=0xb8, fl=0x12345, hlim=63)
CASES = {
    "plain": IPv6(**BASE) / ah(),
    "hop-by-hop, router alert": IPv6(**BASE) / IPv6ExtHdrHopByHop(options=[RouterAlert()]) / ah(),
    "hop-by-hop, changing option": IPv6(**BASE) / IPv6ExtHdrHopByHop(
        options=[HBHOptUnknown(otype=0x3e, optdata=b"\xaa" * 4)]) / ah(),
    "destination options, both kinds": IPv6(**BASE) / IPv6ExtHdrDestOpt(
        options=[HBHOptUnknown(otype=0x3e, optdata=b"\xaa" * 3),
                 HBHOptUnknown(otype=0x1e, optdata=b"\xbb" * 3), PadN(optdata=b"\x00" * 2)]) /
    IPv6ExtHdrRouting(addresses=["fd00::10"], segleft=1) / ah(),
    "routing, three segments left": IPv6(**BASE) / IPv6ExtHdrRouting(
        addresses=["fd00::10", "fd00::11", "fd00::12"], segleft=3) / ah(),
    "routing type 2, one left": IPv6(**BASE) / IPv6ExtHdrRouting(
        type=2, addresses=["fd00::99"], segleft=1) / ah(),
    "everything": IPv6(**BASE) / IPv6ExtHdrHopByHop(
        options=[HBHOptUnknown(otype=0x7f, optdata=b"\xcc" * 6)]) /
    IPv6ExtHdrDestOpt(options=[HBHOptUnknown(otype=0x23, optdata=b"\xdd")]) /
    IPv6ExtHdrRouting(addresses=["fd00::10", "fd00::11"], segleft=2) / ah(),
}


def main():
    lines, expect = [], []
    for name, pkt in CASES.items():
        pkt = IPv6(raw(pkt))  # lengths and next headers filled in
        for sending in (True, False):
            lines.append(("S " if sending else "R ") + raw(pkt).hex())
            z = zero_mutable_fields(pkt.copy(), sending=sending)
            want = raw(z)
            expect.append((name, sending, want[:len(want) - len(raw(z[AH]))].hex()))
    out = subprocess.run([sys.argv[1]], input="\n".join(lines) + "\n", capture_output=True,
                         text=True, check=True).stdout.split()
    bad = 0
    for (name, sending, want), got in zip(expect, out):
        ok = got == want
        bad += not ok
        print(f"{'ok  ' if ok else 'FAIL'} {name} ({'sent' if sending else 'received'})")
        if not ok:
            print(f"  scapy: {want}\n  ours:  {got}")
    if len(out) != len(expect):
        print(f"FAIL: {len(out)} answers for {len(expect)} packets")
        return 1
    print(f"{len(expect) - bad} of {len(expect)} agree with scapy")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
