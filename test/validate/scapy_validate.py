#!/usr/bin/python3
"""Second opinion on the simulator's ESP and AH packets, from scapy.

usage: scapy_validate.py --sas SAS.txt --pcap-dir DIR [--require PROTO:ALG]...

SAS.txt is what validate-dump-sas prints for the scenario that was run (the
keys as the simulation used them; Wireshark's esp_sa cannot hold ChaCha20 or
AH keys).  Every ESP and AH packet of every pcap in DIR (ns-3's PPP link type,
or Ethernet / raw IP) is decrypted or verified with scapy's own
SecurityAssociation, which raises on a bad ICV.  Checks:

  - every ESP/AH packet has a known SA and verifies (ICV good),
  - the result is an IPv4 packet carrying UDP or ICMP (tunnel mode: the inner
    packet, whose addresses must not be the tunnel endpoints'; transport mode:
    the original header with the payload restored),
  - for each SA seen, a copy of its first packet with one bit flipped is
    rejected (so a pass is not a vacuous "verification"),
  - each --require PROTO:ALG (e.g. esp:chacha20poly1305, ah:sha256) matched
    more than zero packets.

Exit 0 on success, 1 on a failed check, 77 if scapy cannot be imported.
"""
import argparse
import collections
import glob
import os
import struct
import sys

try:
    from scapy.layers.inet import ICMP, IP, UDP
    from scapy.layers.ipsec import AH, ESP, IPSecIntegrityError, SecurityAssociation
    from scapy.utils import RawPcapReader
except ImportError as e:  # pragma: no cover
    print("SKIP: scapy is not importable (%s)" % e)
    sys.exit(77)

# Our scenario names -> scapy's algorithm names.
ENC = {
    "null": "NULL",
    "aes128": "AES-CBC",
    "aes256": "AES-CBC",
    "aes128gcm16": "AES-GCM",
    "aes256gcm16": "AES-GCM",
    "chacha20poly1305": "CHACHA20-POLY1305",
}
INTEG = {
    "none": "NULL",
    "sha256": "SHA2-256-128",
    "sha384": "SHA2-384-192",
    "sha512": "SHA2-512-256",
}

DLT_EN10MB, DLT_PPP, DLT_RAW, DLT_PPP_SERIAL, LINKTYPE_RAW, DLT_IPV4 = 1, 9, 12, 50, 101, 228


def ipv4_of_frame(linktype, frame):
    """The IPv4 packet in a frame, or None (strips the link header by hand:
    ns-3 writes DLT_PPP with a bare 2-byte protocol field)."""
    if linktype in (DLT_PPP, DLT_PPP_SERIAL):
        if frame[:2] == b"\xff\x03":
            frame = frame[2:]
        if len(frame) < 2 or struct.unpack("!H", frame[:2])[0] != 0x0021:
            return None
        frame = frame[2:]
    elif linktype == DLT_EN10MB:
        if len(frame) < 14 or frame[12:14] != b"\x08\x00":
            return None
        frame = frame[14:]
    elif linktype not in (DLT_RAW, LINKTYPE_RAW, DLT_IPV4):
        raise SystemExit("unsupported link type %d" % linktype)
    if not frame or frame[0] >> 4 != 4:
        return None
    total = struct.unpack("!H", frame[2:4])[0]
    return bytes(frame[:total])


def load_sas(path):
    sas = {}
    with open(path) as f:
        for line in f:
            p = line.split()
            if not p:
                continue
            (node, name, direction, proto, mode, spi, src, dst, enc, integ, ekey, ikey,
             sport, dport, esn) = p
            key = (proto, int(spi, 16), dst)
            sa = dict(node=node, name=name, proto=proto, mode=mode, spi=int(spi, 16), src=src,
                      dst=dst, enc=enc, integ=integ,
                      ekey=b"" if ekey == "-" else bytes.fromhex(ekey),
                      ikey=b"" if ikey == "-" else bytes.fromhex(ikey),
                      encap=int(sport) != 0, esn=esn == "1")
            # Both ends list the SA (in and out): the keys must agree.
            if key in sas:
                o = sas[key]
                for k in ("enc", "integ", "ekey", "ikey", "mode"):
                    if o[k] != sa[k]:
                        raise SystemExit("SA %s/0x%08x to %s: %s differs between %s and %s"
                                         % (proto, sa["spi"], dst, k, o["node"], node))
                continue
            sas[key] = sa
    return sas


def scapy_sa(sa):
    """scapy's view of one of our SAs.  None if scapy lacks the algorithm."""
    tunnel = IP(src=sa["src"], dst=sa["dst"]) if sa["mode"] == "tunnel" else None
    if sa["proto"] == "ah":
        if sa["integ"] not in INTEG:
            return None
        return SecurityAssociation(AH, spi=sa["spi"], auth_algo=INTEG[sa["integ"]],
                                   auth_key=sa["ikey"], tunnel_header=tunnel,
                                   esn_en=sa["esn"])
    if sa["enc"] not in ENC or sa["integ"] not in INTEG:
        return None
    return SecurityAssociation(ESP, spi=sa["spi"], crypt_algo=ENC[sa["enc"]],
                               crypt_key=sa["ekey"], auth_algo=INTEG[sa["integ"]],
                               auth_key=sa["ikey"], tunnel_header=tunnel, esn_en=sa["esn"])


def as_ipsec(raw):
    """(proto, spi, IP packet) for ESP/AH packets, UDP-encapsulated ESP
    (RFC 3948) turned into plain ESP; None for anything else."""
    hl = (raw[0] & 15) * 4
    proto = raw[9]
    if proto == 17 and len(raw) >= hl + 16:
        sport, dport = struct.unpack("!HH", raw[hl:hl + 4])
        body = raw[hl + 8:]
        if 4500 in (sport, dport) and body[:4] != b"\0\0\0\0":
            raw = bytearray(raw[:hl] + body)
            raw[9] = 50
            raw[2:4] = struct.pack("!H", len(raw))
            raw = bytes(raw)
            proto = 50
    if proto == 50:
        return "esp", struct.unpack("!I", raw[hl:hl + 4])[0], IP(raw)
    if proto == 51:
        return "ah", struct.unpack("!I", raw[hl + 4:hl + 8])[0], IP(raw)
    return None


def check_result(sa, outer, res):
    """What is wrong with a decrypted/verified packet, or None."""
    # scapy leaves an AH payload undissected (Raw): parse the bytes again.
    data = bytes(res)
    if not data or data[0] >> 4 != 4:
        return "result is not an IPv4 packet (%s)" % type(res).__name__
    res = IP(data)
    if sa["mode"] == "tunnel":
        if res.src == outer.src and res.dst == outer.dst:
            return "inner addresses equal the tunnel endpoints'"
    else:
        if res.src != outer.src or res.dst != outer.dst:
            return "transport-mode result changed the addresses"
    if not (res.haslayer(UDP) or res.haslayer(ICMP)):
        return "no UDP or ICMP inside (proto %d)" % res.proto
    if len(bytes(res)) != res.len:
        return "IPv4 total length %d but %d bytes" % (res.len, len(bytes(res)))
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sas", required=True)
    ap.add_argument("--pcap-dir", required=True)
    ap.add_argument("--require", action="append", default=[])
    a = ap.parse_args()

    sas = load_sas(a.sas)
    scapy_sas = {k: scapy_sa(v) for k, v in sas.items()}
    pcaps = sorted(glob.glob(os.path.join(a.pcap_dir, "*.pcap")))
    if not pcaps:
        print("FAIL: no pcap in %s" % a.pcap_dir)
        return 1

    good = collections.Counter()   # (proto, alg) -> packets verified
    failures = []
    tampered_checked = set()
    total = 0
    for path in pcaps:
        reader = RawPcapReader(path)
        linktype = reader.linktype
        n = 0
        for i, (frame, _meta) in enumerate(reader, 1):
            raw = ipv4_of_frame(linktype, frame)
            if raw is None or len(raw) < 20:
                continue
            got = as_ipsec(raw)
            if got is None:
                continue
            proto, spi, pkt = got
            total += 1
            n += 1
            where = "%s #%d (%s SPI 0x%08x %s -> %s)" % (os.path.basename(path), i, proto, spi,
                                                         pkt.src, pkt.dst)
            key = (proto, spi, pkt.dst)
            sa = sas.get(key)
            ssa = scapy_sas.get(key)
            if sa is None:
                failures.append("%s: no SA in the scenario" % where)
                continue
            if ssa is None:
                failures.append("%s: scapy has no %s/%s" % (where, sa["enc"], sa["integ"]))
                continue
            try:
                res = ssa.decrypt(IP(bytes(pkt)))  # decrypt() mutates its argument
            except IPSecIntegrityError as e:
                failures.append("%s: ICV check failed: %s" % (where, e))
                continue
            except Exception as e:  # scapy raises assorted errors on garbage
                failures.append("%s: %s: %s" % (where, type(e).__name__, e))
                continue
            bad = check_result(sa, pkt, res)
            if bad:
                failures.append("%s: %s" % (where, bad))
                continue
            alg = sa["enc"] if proto == "esp" and sa["integ"] == "none" else \
                sa["integ"] if proto == "ah" else "%s+%s" % (sa["enc"], sa["integ"])
            good[(proto, alg)] += 1
            # Negative control, once per SA: flip a bit in the last byte
            # (ICV for ESP, payload for AH) and expect a rejection.
            if key not in tampered_checked:
                tampered_checked.add(key)
                t = bytearray(bytes(pkt))
                t[-1] ^= 1
                try:
                    ssa.decrypt(IP(bytes(t)))
                    failures.append("%s: a copy with one bit flipped was accepted by scapy"
                                    % where)
                except IPSecIntegrityError:
                    pass
        print("%s: %d ESP/AH packets" % (os.path.basename(path), n))

    for kind, count in sorted(good.items()):
        print("verified %s %s: %d packets (ICV good)" % (kind[0], kind[1], count))
    print("tampered copies rejected for %d SAs" % len(tampered_checked))
    for r in a.require:
        proto, _, alg = r.partition(":")
        n = sum(c for (p, al), c in good.items() if p == proto and (alg in al.split("+") or
                                                                     alg == al))
        if n == 0:
            failures.append("required %s packets: none verified" % r)
    if total == 0:
        failures.append("no ESP or AH packet in %s" % a.pcap_dir)
    if failures:
        for f in failures[:20]:
            print("FAIL:", f)
        if len(failures) > 20:
            print("FAIL: ... and %d more" % (len(failures) - 20))
        print("FAIL: %d of %d ESP/AH packets did not verify" %
              (len([f for f in failures if "#" in f and "bit flipped" not in f]), total))
        return 1
    print("OK: all %d ESP/AH packets verified by scapy" % total)
    return 0


if __name__ == "__main__":
    sys.exit(main())
