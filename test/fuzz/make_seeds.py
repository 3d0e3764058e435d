#!/usr/bin/python3
"""Writes the checked-in seed corpora of the fuzz targets whose inputs are
structured (docs/fuzzing.md): test/fuzz/corpus/<target>/.  Run from the
repository root after changing an input format:

    python3 test/fuzz/make_seeds.py
"""
import os
import struct

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")


def checksum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ipv4(src, dst, proto, payload):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 1, 0, 64, proto, 0,
                    bytes(src), bytes(dst))
    h = h[:10] + struct.pack("!H", checksum(h)) + h[12:]
    return h + payload


def udp(sport, dport, data):
    return struct.pack("!HHHH", sport, dport, 8 + len(data), 0) + data


def write(target, name, data):
    d = os.path.join(ROOT, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def esp_trailer(payload, nh, block=16):
    """RFC 4303 §2.4: payload, padding 1, 2, ..., pad length, next header."""
    pad = (block - (len(payload) + 2) % block) % block
    return payload + bytes(range(1, pad + 1)) + bytes([pad, nh])


def ipsec_input():
    # kinds of test/fuzz/ipsec_input_fuzz.c: 0-6 ESP, 7-8 AH; 2, 3, 6, 8
    # transport mode.
    transport = {2, 3, 6, 8}
    inner = ipv4([10, 1, 0, 1], [10, 2, 0, 1], 17, udp(1234, 53, b"hello fuzz"))
    icmp = ipv4([10, 1, 0, 1], [10, 2, 0, 1], 1, b"\x08\x00\xf7\xff\x00\x00\x00\x00")
    dns = udp(1234, 53, b"\x12\x34\x01\x00\x00\x01")
    for k in range(9):
        tr = k in transport
        payload, nh = (dns, 17) if tr else (icmp if k == 4 else inner, 4)
        if k == 8:
            payload, nh = b"\x04\xd2\x00\x35" + bytes(16), 6
        seq = struct.pack("!I", 1 + k)
        for make in range(4):
            body = payload
            muts = b""
            if make == 0:
                body = esp_trailer(payload, nh)
            if make == 3:
                muts = struct.pack("!HB", 30, 0x01)
            hdr = bytes([k, make]) + seq + bytes([nh, len(muts) // 3]) + muts
            write("ipsec_input", "kind%d-make%d" % (k, make), hdr + body)
        # a dummy packet (RFC 4303 §2.6) and bad padding
        write("ipsec_input", "kind%d-dummy" % k,
              bytes([k, 0]) + seq + bytes([59, 0]) + esp_trailer(b"xx", 59))
        bad = bytearray(esp_trailer(payload, nh))
        if bad[-2]:
            bad[-3] ^= 0x40
        write("ipsec_input", "kind%d-badpad" % k, bytes([k, 0]) + seq + bytes([nh, 0]) + bytes(bad))


def esp_sa():
    table = open(os.path.join(os.path.dirname(ROOT), "decrypt.esp_sa"), "rb").read()
    write("esp_sa", "decrypt-sas", table)
    write("esp_sa", "kinds",
          b'"IPv4","10.0.1.2","10.0.2.2","0x3001","AES-CBC [RFC3602]",'
          b'"0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",'
          b'"HMAC-SHA-512-256 [RFC4868]","0x' + b"ab" * 64 + b'"\n'
          b'"IPv4","10.0.1.2","10.0.2.3","12289","NULL","",'
          b'"HMAC-SHA-384-192 [RFC4868]","\\x41\\"quoted\\\\key-of-48-bytes-......................"\n'
          b'"IPv4","*","10.0.2.4","0x1","ChaCha20 with Poly1305 [RFC7634]","0x' + b"cd" * 36 +
          b'","NULL",""\n'
          b'"IPv6","2001:db8::1","2001:db8::2","0x2","NULL","","NULL",""\n')
    write("esp_sa", "ipv6",
          b'"IPv6","2001:db8::1","2001:db8::2","0x3003","AES-GCM with 16 octet ICV [RFC4106]",'
          b'"0x' + b"ab" * 20 + b'","NULL",""\n'
          b'"IPv6","*","*","0x4004","AES-CBC [RFC3602]","0x' + b"cd" * 16 + b'",'
          b'"HMAC-SHA-256-128 [RFC4868]","0x' + b"ef" * 32 + b'"\n'
          b'"IPv4","*","*","0x4004","NULL","","HMAC-SHA-256-128 [RFC4868]","0x' + b"ef" * 32 + b'"\n'
          b'"IPv6","::ffff:192.0.2.1","::","0x5","NULL","","HMAC-SHA-256-128 [RFC4868]",'
          b'"0x' + b"01" * 32 + b'"\n'
          b'"IPv6","2001:db8::1","192.0.2.2","0x6","NULL","","NULL",""\n'
          b'"IPv6","fe80::1%eth0","2001:db8::2","0x7","NULL","","NULL",""\n'
          b'"IPv6","2001:db8::1","2001:db8::*","0x8","NULL","","NULL",""\n')
    write("esp_sa", "broken", b'"IPv4","192.0.2.1"\n"IPv4","1.2.3.4","5.6.7.8","0xzz",,\n#x\n\n')


def pcap(linktype, frames):
    out = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, linktype)
    for i, f in enumerate(frames):
        out += struct.pack("<IIII", 1000 + i, 0, len(f), len(f)) + f
    return out


def ipv6(src, dst, nh, payload, ext=b""):
    """RFC 8200 §3: the fixed header, `ext` (extension headers, their Next
    Header fields already chained to `payload`) and the payload."""
    return struct.pack("!IHBB16s16s", 0x60000000, len(ext) + len(payload), nh, 64,
                       bytes(src), bytes(dst)) + ext + payload


def udp6(src, dst, sport, dport, data):
    """UDP over IPv6 with its checksum, which may not be zero (RFC 8200 §8.1)."""
    u = udp(sport, dport, data)
    pseudo = bytes(src) + bytes(dst) + struct.pack("!IxxxB", len(u), 17)
    return u[:6] + struct.pack("!H", checksum(pseudo + u) or 0xFFFF) + u[8:]


def esp_gcm(key, spi, seq, payload, nh):
    """RFC 4106: AES-GCM, key || salt, IV = seq, padded to 4 bytes."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    head, iv = struct.pack("!II", spi, seq), struct.pack("!Q", seq)
    return head + iv + AESGCM(key[:16]).encrypt(key[16:] + iv, esp_trailer(payload, nh, 4), head)


def esp_cbc(key, integ_key, spi, seq, payload, nh):
    """RFC 3602 + RFC 4868: AES-CBC (zero IV) with HMAC-SHA-256-128."""
    from cryptography.hazmat.primitives import hashes, hmac
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    iv = bytes(16)
    enc = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    body = struct.pack("!II", spi, seq) + iv + enc.update(esp_trailer(payload, nh)) + enc.finalize()
    mac = hmac.HMAC(integ_key, hashes.SHA256())
    mac.update(body)
    return body + mac.finalize()[:16]


def decrypt():
    # the SAs of decrypt.esp_sa
    gcm_key, gcm6_key = bytes(range(0x10, 0x24)), bytes(range(0x60, 0x74))
    cbc_key, cbc_integ = bytes(range(0x30, 0x40)), bytes(range(0x50, 0x70))
    cbc6_key, cbc6_integ = bytes(range(0x80, 0x90)), bytes(range(0xa0, 0xc0))

    gw_a, gw_b = [192, 0, 2, 1], [192, 0, 2, 2]
    inner = ipv4([10, 1, 0, 1], [10, 2, 0, 1], 17, udp(1234, 53, b"hello decrypt"))
    gcm = ipv4(gw_a, gw_b, 50, esp_gcm(gcm_key, 0x1001, 1, inner, 4))
    # transport mode
    cbc = ipv4(gw_b, gw_a, 50, esp_cbc(cbc_key, cbc_integ, 0x2002, 7, udp(53, 1234, b"answer"), 17))
    natt = ipv4(gw_a, gw_b, 17, udp(4500, 4500, gcm[20:]))
    ike = ipv4(gw_a, gw_b, 17, udp(4500, 4500, bytes(4) + b"IKE..." * 6))
    eth = bytes(6) + bytes([2, 0, 0, 0, 0, 1]) + b"\x08\x00"
    vlan = bytes(12) + b"\x81\x00\x00\x05\x08\x00"
    frames = [gcm, cbc, natt, ike, inner, gcm[:30]]
    write("decrypt", "raw", pcap(101, frames))
    write("decrypt", "ethernet", pcap(1, [eth + f for f in frames] + [vlan + gcm, bytes(14)]))
    write("decrypt", "ppp", pcap(9, [b"\xff\x03\x00\x21" + gcm, b"\x21" + cbc, b"\x00\x57" + bytes(40)]))
    write("decrypt", "loop", pcap(0, [b"\x02\x00\x00\x00" + gcm, b"\x00\x00\x00\x02" + cbc]))
    write("decrypt", "sll", pcap(113, [bytes(14) + b"\x08\x00" + cbc]))

    # IPv6: 6-in-6 and 4-in-6 tunnels, transport mode behind a hop-by-hop
    # and a destination options header, UDP-encapsulated transport mode
    # under a "*" row, IKE on port 4500, an ESP fragment, a cut packet.
    gw6_a = [0x20, 0x01, 0x0d, 0xb8] + [0] * 11 + [1]
    gw6_b = gw6_a[:15] + [2]
    host6_a, host6_b = gw6_a[:6] + [1] + gw6_a[7:], gw6_b[:6] + [2] + gw6_b[7:]
    inner6 = ipv6(host6_a, host6_b, 17, udp6(host6_a, host6_b, 1234, 6000, b"hello decrypt6"))
    gcm66 = ipv6(gw6_a, gw6_b, 50, esp_gcm(gcm6_key, 0x3003, 1, inner6, 41))
    gcm46 = ipv6(gw6_a, gw6_b, 50, esp_gcm(gcm6_key, 0x3003, 2, inner, 4))
    ext = bytes([60, 0, 1, 4, 0, 0, 0, 0]) + bytes([50, 0, 1, 4, 0, 0, 0, 0])  # PadN each
    gcm6t = ipv6(gw6_a, gw6_b, 0, esp_gcm(gcm6_key, 0x3003, 3, udp6(gw6_a, gw6_b, 1234, 6000, b"t"), 17),
                 ext)
    cbc6 = esp_cbc(cbc6_key, cbc6_integ, 0x4004, 1, udp6(gw6_b, gw6_a, 6000, 1234, b"answer6"), 17)
    natt6 = ipv6(gw6_b, gw6_a, 17, udp(4500, 4500, cbc6))
    ike6 = ipv6(gw6_a, gw6_b, 17, udp(4500, 4500, bytes(4) + b"IKE..." * 6))
    frag6 = ipv6(gw6_a, gw6_b, 44, bytes([50, 0, 0, 1, 0, 0, 0, 9]) + gcm66[40:80])
    frames6 = [gcm66, gcm46, gcm6t, natt6, ike6, inner6, frag6, gcm66[:50]]
    eth6 = eth[:12] + b"\x86\xdd"
    write("decrypt", "raw6", pcap(101, frames6))
    write("decrypt", "ethernet6", pcap(1, [eth6 + f for f in frames6] + [vlan[:16] + b"\x86\xdd" + gcm6t]))
    write("decrypt", "ipv6-linktype", pcap(229, [gcm66, natt6]))


def scenario():
    """Overrides (--set) after the scenario, NUL-separated."""
    base = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(ROOT))), "scenarios")
    for name, sets in [("site-to-site", ["duration=2s", "nodes.gwA.ipsec.sas.0.enc=aes-cbc-128"]),
                       ("ikev2-psk", ["seed=3", "links.0.delay=5ms", "nodes=[]"]),
                       ("crypto-saturation", ["nodes.gwA.crypto_engine=software",
                                              "nodes.gwB.crypto_engine.lanes=4"])]:
        text = open(os.path.join(base, name + ".yaml"), "rb").read()
        write("scenario", name + "-sets", text + b"".join(b"\0" + s.encode() for s in sets))


if __name__ == "__main__":
    ipsec_input()
    esp_sa()
    decrypt()
    scenario()
