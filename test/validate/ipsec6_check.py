#!/usr/bin/python3
"""scapy's opinion of the engine's IPv6 ESP and AH packets (validate_ipsec6).

usage: ipsec6_check.py DIR   (what validate-ipsec6-cases wrote there)

Every packet of DIR/out.pcap is decrypted (ESP) or verified (AH) with scapy's
own SecurityAssociation, which raises on a bad ICV, and must give back
exactly the packet the engine was given (DIR/inner.txt): tunnel mode the
inner packet of either family, transport mode the original packet with its
extension headers.  A copy of each SA's first packet with one bit flipped
must be rejected, so a pass is not a vacuous verification.  Every case of
DIR/sas.txt must have been seen.

Exit 0 on success, 1 on a failed check, 77 if scapy cannot be imported.
"""
import struct
import sys

try:
    from scapy.layers.inet import IP
    from scapy.layers.inet6 import IPv6
    from scapy.layers.ipsec import AH, ESP, IPSecIntegrityError, SecurityAssociation
    from scapy.utils import RawPcapReader
except ImportError as e:  # pragma: no cover
    print("SKIP: scapy is not importable (%s)" % e)
    sys.exit(77)

ENC = {"null": "NULL", "aes128": "AES-CBC", "aes256": "AES-CBC", "aes128gcm16": "AES-GCM",
       "aes256gcm16": "AES-GCM", "chacha20poly1305": "CHACHA20-POLY1305"}
INTEG = {"none": "NULL", "sha256": "SHA2-256-128", "sha384": "SHA2-384-192",
         "sha512": "SHA2-512-256"}


def ip_of(raw):
    return IPv6(raw) if raw[0] >> 4 == 6 else IP(raw)


def load_sas(path):
    sas = {}
    for line in open(path):
        name, proto, mode, spi, src, dst, enc, integ, ekey, ikey, encap = line.split()
        header = None
        if mode == "tunnel":
            header = IPv6(src=src, dst=dst) if ":" in src else IP(src=src, dst=dst)
        if proto == "ah":
            sa = SecurityAssociation(AH, spi=int(spi, 16), auth_algo=INTEG[integ],
                                     auth_key=bytes.fromhex(ikey), tunnel_header=header)
        else:
            sa = SecurityAssociation(ESP, spi=int(spi, 16), crypt_algo=ENC[enc],
                                     crypt_key=bytes.fromhex(ekey),
                                     auth_algo=INTEG[integ],
                                     auth_key=b"" if ikey == "-" else bytes.fromhex(ikey),
                                     tunnel_header=header)
        sas[int(spi, 16)] = (name, proto, encap == "1", sa)
    return sas


def without_udp(raw):
    """RFC 3948 UDP-encapsulated ESP as plain ESP, for scapy."""
    raw = bytearray(raw)
    if raw[0] >> 4 == 6:
        assert raw[6] == 17
        del raw[40:48]
        raw[6] = 50
        raw[4:6] = struct.pack("!H", len(raw) - 40)
        return bytes(raw)
    hl = (raw[0] & 15) * 4
    del raw[hl:hl + 8]
    pkt = IP(bytes(raw))
    pkt.proto, pkt.len, pkt.chksum = 50, None, None  # scapy computes them
    return bytes(pkt)


def spi_of(raw, proto):
    pkt = ip_of(raw)
    layer = pkt[ESP] if proto == "esp" else pkt[AH]
    return layer.spi


def main():
    d = sys.argv[1]
    sas = load_sas(d + "/sas.txt")
    inner = [line.split() for line in open(d + "/inner.txt")]
    frames = [bytes(f) for f, _ in RawPcapReader(d + "/out.pcap")]
    if len(frames) != len(inner) or not frames:
        print("FAIL: %d packets in the pcap, %d in inner.txt" % (len(frames), len(inner)))
        return 1
    failures, seen, tampered = [], set(), set()
    for i, (raw, (spi, want)) in enumerate(zip(frames, inner), 1):
        name, proto, encap, sa = sas[int(spi, 16)]
        if encap:
            raw = without_udp(raw)
        pkt = ip_of(raw)
        if spi_of(raw, proto) != int(spi, 16):
            failures.append("#%d %s: SPI %s not found in the packet" % (i, name, spi))
            continue
        try:
            got = bytes(sa.decrypt(pkt))
        except IPSecIntegrityError as e:
            failures.append("#%d %s: scapy rejects the ICV (%s)" % (i, name, e))
            continue
        if got != bytes.fromhex(want):
            failures.append("#%d %s: scapy's result differs from the packet sent\n  got  %s\n"
                            "  want %s" % (i, name, got.hex(), want))
            continue
        seen.add(name)
        if name not in tampered:
            tampered.add(name)
            bad = bytearray(raw)
            bad[-1] ^= 1
            try:
                sa.decrypt(ip_of(bytes(bad)))
                failures.append("#%d %s: a flipped bit was not noticed" % (i, name))
            except (IPSecIntegrityError, ValueError):
                pass
    missing = {v[0] for v in sas.values()} - seen
    for f in failures[:20]:
        print("FAIL:", f)
    if missing:
        print("FAIL: no packet verified for", ", ".join(sorted(missing)))
    if failures or missing:
        return 1
    print("OK: scapy verified all %d packets of %d cases (ICV good, result equal to the "
          "packet sent); a flipped bit rejected in each" % (len(frames), len(seen)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
