# `capture:`: one node over a window of simulated time, with a packet limit
# and a snap length, checked with capinfos and tshark against a full capture
# of the same run (same seed: the same packets at the same times): exactly
# the node's files, exactly the full capture's packets of the window (the
# first max_packets of them with a limit), each cut to the snap length;
# tshark still decrypts every ESP packet captured with keys/esp_sa.  With
# nothing chosen, or --no-pcap, no pcap/ folder.
. "$(dirname "$0")/lib.sh"
S="$SRC/scenarios/site-to-site.yaml"
command -v tshark >/dev/null && command -v capinfos >/dev/null || {
	echo "FAIL: tshark and capinfos are needed (apt-get install tshark)"; exit 1; }

# times: the epoch seconds of every frame (pcap times are simulated time)
times() { tshark -n -r "$1" -T fields -e frame.time_epoch 2>/dev/null; }
# in_window FILE START STOP: FILE's frames of the full capture in [START, STOP)
in_window() { times "$1" | awk -v a="$2" -v b="$3" '$1 >= a && $1 < b'; }

run full "$S"
run win "$S" --set 'capture={nodes: [gwB], start: 3s, stop: 4.5s}'
check "window: only gwB's two interfaces" \
	"[ \"\$(cd '$OUT/win/pcap' && ls | tr '\n' ' ')\" = 'site-to-site-gwB-1.pcap site-to-site-gwB-2.pcap ' ]"
for f in site-to-site-gwB-1 site-to-site-gwB-2; do
	check "window: $f holds exactly the full capture's frames of [3 s, 4.5 s)" \
		"[ \"\$(times '$OUT/win/pcap/$f.pcap')\" = \"\$(in_window '$OUT/full/pcap/$f.pcap' 3 4.5)\" ]"
	check "window: $f: capinfos' first and last packet inside [3 s, 4.5 s)" \
		"capinfos -a -e -S '$OUT/win/pcap/$f.pcap' | awk '/First packet time/ { f = \$NF } /Last packet time/ { l = \$NF }
		 END { exit !(f >= 3 && l < 4.5 && l > 4) }'"
done
check "window: the summary counts the packets" \
	"grep -q 'pcap/ (2 captures, $(($(times "$OUT/win/pcap/site-to-site-gwB-1.pcap" | wc -l) * 2)) packets' '$OUT/win.log'"

run lim "$S" --set 'capture={nodes: [gwB], start: 3s, stop: 4.5s, max_packets: 200, snaplen: 100}'
for f in site-to-site-gwB-1 site-to-site-gwB-2; do
	check "limit: $f: capinfos counts 200 packets" \
		"[ \"\$(capinfos -c -M '$OUT/lim/pcap/$f.pcap' | awk '/Number of packets/ { print \$NF }')\" = 200 ]"
	check "limit: $f: the window's first 200" \
		"[ \"\$(times '$OUT/lim/pcap/$f.pcap')\" = \"\$(in_window '$OUT/full/pcap/$f.pcap' 3 4.5 | head -200)\" ]"
	check "limit: $f: snap length 100 in the header, every packet cut to it" \
		"[ \"\$(tshark -n -r '$OUT/lim/pcap/$f.pcap' -T fields -e frame.cap_len 2>/dev/null | sort -u)\" = 100 ] &&
		 capinfos -l '$OUT/lim/pcap/$f.pcap' | grep -q 'file hdr: 100 bytes'"
done
check "limit: the summary counts 400 packets" "grep -q 'pcap/ (2 captures, 400 packets' '$OUT/lim.log'"

# What the window captured decrypts (whole packets: no snap length).
good=$(HOME="$OUT/win/keys-home" tshark -n -r "$OUT/win/pcap/site-to-site-gwB-1.pcap" -Y esp \
	-T fields -e esp.icv_good 2>/dev/null | sort | uniq -c | tr -s ' ')
esp=$(tshark -n -r "$OUT/win/pcap/site-to-site-gwB-1.pcap" -Y 'ip.proto == 50' 2>/dev/null | wc -l)
check "window: tshark decrypts all $esp ESP packets of gwB's WAN capture, every ICV good" \
	"[ '$esp' -gt 500 ] && [ '$good' = ' $esp 1' ]"

# A link by its two nodes: both ends.
run link "$S" --set 'capture={links: [[gwB, gwA]], stop: 1s}'
check "link [gwB, gwA]: both of its ends" \
	"[ \"\$(cd '$OUT/link/pcap' && ls | tr '\n' ' ')\" = 'site-to-site-gwA-2.pcap site-to-site-gwB-1.pcap ' ]"

run none "$S" --set 'capture={nodes: []}'
check "nothing chosen: no pcap folder" "[ ! -e '$OUT/none/pcap' ]"
check "nothing chosen: the summary lists no captures" "! grep -q 'pcap/' '$OUT/none.log'"
run nopcap "$S" --set 'capture={nodes: [gwB]}' --no-pcap
check "--no-pcap wins over capture:" "[ ! -e '$OUT/nopcap/pcap' ]"
finish
