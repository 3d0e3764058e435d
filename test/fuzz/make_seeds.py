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


if __name__ == "__main__":
    ipsec_input()
