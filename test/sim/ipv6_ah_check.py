#!/usr/bin/python3
"""scapy's opinion of the AH packets of a simulated IPv6 capture (sim_ipv6).

Usage: ipv6_ah_check.py PCAP

PCAP is a capture of scenarios/ipv6-host-to-host-ah-transport.yaml (ns-3's
point-to-point links: DLT_PPP, IPv6 as PPP protocol 0x0057, RFC 5072).  Every AH packet
in it is verified with scapy's own SecurityAssociation and the scenario's
keys: scapy zeroes the IPv6 header's mutable fields (RFC 4302 §3.3.3.1.2)
and raises on a bad ICV, so a capture after the router (hop limit one less)
verifies as well as one before.  A copy with one payload bit flipped must
fail, or the check proves nothing.

Exit 0 on success, 1 on a failed check, 77 if scapy cannot be imported.
"""
import sys

try:
    from scapy.layers.inet6 import IPv6
    from scapy.layers.ipsec import AH, IPSecIntegrityError, SecurityAssociation
    from scapy.utils import RawPcapReader
except ImportError as e:
    print("SKIP: scapy is not importable (%s)" % e)
    sys.exit(77)

# The scenario's SAs: SPI -> HMAC-SHA-256-128 key.
KEYS = {
    0x8001: bytes.fromhex("202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"),
    0x8002: bytes.fromhex("505152535455565758595a5b5c5d5e5f606162636465666768696a6b6c6d6e6f"),
}
PPP_IPV6 = 0x0057


def ipv6_of(frame):
    """The IPv6 packet in a DLT_PPP frame as ns-3 writes it (the 2-byte
    protocol field only, RFC 1661 §2), or None."""
    if len(frame) < 2 or int.from_bytes(frame[0:2], "big") != PPP_IPV6:
        return None
    return IPv6(frame[2:])


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        return 1
    sas = {spi: SecurityAssociation(AH, spi=spi, auth_algo="SHA2-256-128", auth_key=key)
           for spi, key in KEYS.items()}
    verified = failed = 0
    for frame, _ in RawPcapReader(sys.argv[1]):
        pkt = ipv6_of(frame)
        if pkt is None or AH not in pkt:
            continue
        sa = sas.get(pkt[AH].spi)
        if sa is None:
            print("FAIL: AH with unknown SPI 0x%x" % pkt[AH].spi)
            failed += 1
            continue
        raw = bytes(pkt)
        try:
            sa.decrypt(IPv6(raw))
            verified += 1
        except IPSecIntegrityError:
            print("FAIL: AH ICV does not verify: %s" % pkt.summary())
            failed += 1
            continue
        if verified == 1:
            tampered = bytearray(raw)
            tampered[-1] ^= 0x01
            try:
                sa.decrypt(IPv6(bytes(tampered)))
                print("FAIL: a flipped payload bit still verifies")
                failed += 1
            except IPSecIntegrityError:
                pass
    print("scapy: %d AH packets verified, %d failed" % (verified, failed))
    return 1 if failed or verified < 100 else 0


if __name__ == "__main__":
    sys.exit(main())
