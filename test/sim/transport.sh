# Host-to-host transport mode, ESP and AH: no loss, SAs used both ways.
. "$(dirname "$0")/lib.sh"
for s in esp ah; do
	run $s "$SRC/scenarios/host-to-host-$s-transport.yaml"
	expect "$s: complete" "SELECT status FROM runs" complete
	expect "$s: no loss" "SELECT sum(lost) FROM flows" 0
	expect "$s: traffic flowed" "SELECT min(received) > 0 FROM flows" 1
	expect "$s: transport SAs carried it" "SELECT count(*) FROM sas WHERE mode='transport' AND protocol='$s' AND packets > 0" 4
	expect "$s: no drops" "SELECT count(*) FROM drops" 0
done
finish
