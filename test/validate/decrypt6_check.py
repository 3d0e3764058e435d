#!/usr/bin/python3
"""scapy's reading of what `ipsec-sim decrypt` made of validate-ipsec6-cases'
capture (validate_decrypt_ipsec6).

usage: decrypt6_check.py DIR CLEAR.pcap

DIR holds what validate-ipsec6-cases wrote (out.pcap, inner.txt: per packet
the SPI and the packet before IPsec).  decrypt drops nothing here, so the
frames of CLEAR.pcap match those of DIR/out.pcap one to one.  Every ESP frame
must have become exactly the packet that was sent, which scapy dissects as
IPv4 or IPv6 carrying UDP to port 6000, with the length fields (and, where
the sender computed one, the UDP checksum: always over IPv6, RFC 8200 §8.1)
scapy computes itself; every other frame must be unchanged.

Exit 0 on success, 1 on a failed check, 77 if scapy cannot be imported.
"""
import sys

try:
    from scapy.layers.inet import IP, UDP
    from scapy.layers.inet6 import IPv6
    from scapy.layers.ipsec import ESP
    from scapy.utils import RawPcapReader
except ImportError as e:  # pragma: no cover
    print("SKIP: scapy is not importable (%s)" % e)
    sys.exit(77)


def ip_of(raw):
    return IPv6(raw) if raw[0] >> 4 == 6 else IP(raw)


def recomputed(pkt):
    """The packet as scapy builds it with its own lengths and checksums."""
    pkt = pkt.copy()
    if IPv6 in pkt:
        del pkt[IPv6].plen
    else:
        del pkt[IP].len, pkt[IP].chksum
    if pkt[UDP].chksum:
        del pkt[UDP].chksum
    del pkt[UDP].len
    return bytes(pkt)


def main():
    d, clear = sys.argv[1], sys.argv[2]
    sent = [bytes.fromhex(line.split()[1]) for line in open(d + "/inner.txt")]
    before = [bytes(f) for f, _ in RawPcapReader(d + "/out.pcap")]
    after = [bytes(f) for f, _ in RawPcapReader(clear)]
    if len(after) != len(before):
        print("FAIL: %d frames decrypted from %d" % (len(after), len(before)))
        return 1
    failures, families = [], {4: 0, 6: 0}
    for i, (b, a, want) in enumerate(zip(before, after, sent), 1):
        if ESP not in ip_of(b):  # scapy finds it in UDP 4500 too (RFC 3948)
            if a != b:
                failures.append("#%d: a frame that is not ESP was changed" % i)
            continue
        pkt = ip_of(a)
        if a != want:
            failures.append("#%d: decrypted %s\n  sent      %s" % (i, a.hex(), want.hex()))
        elif UDP not in pkt or pkt[UDP].dport != 6000:
            failures.append("#%d: no UDP to port 6000 in %s" % (i, pkt.summary()))
        elif IPv6 in pkt and not pkt[UDP].chksum:
            failures.append("#%d: a zero UDP checksum over IPv6" % i)
        elif recomputed(pkt) != a:
            failures.append("#%d: scapy computes other lengths or checksums\n  scapy %s\n"
                            "  ours  %s" % (i, recomputed(pkt).hex(), a.hex()))
        else:
            families[a[0] >> 4] += 1
    for f in failures[:20]:
        print("FAIL:", f)
    if failures:
        return 1
    print("OK: scapy: %d decrypted packets are the IPv6 ones sent, %d the IPv4 ones, each "
          "UDP to port 6000 with scapy's own lengths and checksums; %d other frames unchanged"
          % (families[6], families[4], len(before) - families[4] - families[6]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
