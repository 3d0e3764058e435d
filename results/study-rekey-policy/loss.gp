# ipsec-sim report: loss.  The data are inline; redraw in the folder with
#   gnuplot -e "fmt='png'" loss.gp   (or fmt='pdf', fmt='svg')
if (!exists('fmt')) fmt = 'png'
if (fmt eq 'png') set terminal pngcairo size 1000,418 noenhanced font ',10'
if (fmt eq 'pdf') set terminal pdfcairo size 10.42in,4.35in noenhanced font ',10'
if (fmt eq 'svg') set terminal svg size 1000,418 noenhanced font ',13.3' background 'white'
set output 'loss'.'.'.fmt
unset key
set grid ytics
set multiplot title "cellular-roadwarrior: packet loss per flow\nmean of 10 replications per configuration, 95 % confidence interval (Student's t; percentile bootstrap for shares in %)"
set origin 0.0000, 0.0766
set size 1.0000, 0.7895
set arrow from screen 0.0100, 0.0383 to screen 0.0380, 0.0383 nohead lw 8 lc rgb '#1f77b4' dt 1
set label 'up' at screen 0.0460, 0.0383 left
set arrow from screen 0.0960, 0.0383 to screen 0.1240, 0.0383 nohead lw 8 lc rgb '#ff7f0e' dt 1
set label 'down' at screen 0.1320, 0.0383 left
set arrow from screen 0.1820, 0.0383 to screen 0.2100, 0.0383 nohead lw 8 lc rgb '#2ca02c' dt 1
set label 'ping' at screen 0.2180, 0.0383 left
unset title
set ylabel 'loss [% of packets sent]'
set xtics ("gw.rekey_policy=make-before-break" 0, "gw.rekey_policy=break-before-make\nue.rekey_policy=break-before-make" 1, "reauth_time=150s" 2)
set xtics norotate
unset xlabel
unset label 100
set bmargin 3.5
set tmargin 1.0
$data_0_0 << EOD
 1.356879195 1.194962248 1.518120805 1
 1.374328859 1.212571309 1.53557047 2
 1.355536913 1.194463087 1.516442953 3
EOD
$data_1_0 << EOD
 6.858724832 6.686036913 7.032417785 1
 6.979395973 6.83254698 7.128795302 2
 5.988120805 5.839865772 6.141543624 3
EOD
$data_2_0 << EOD
 8.104026846 7.785234899 8.473154362 1
 7.919463087 7.55033557 8.338926174 2
 7.265100671 6.77852349 7.785234899 3
EOD
set yrange [0:9.15101]
set xrange [-0.5:2.5]
set style data histogram
set style histogram errorbars gap 2 lw 1.5
set style fill solid 0.75 border -1
plot $data_0_0 using 1:2:3 lc rgb '#1f77b4' dt 1, $data_1_0 using 1:2:3 lc rgb '#ff7f0e' dt 1, $data_2_0 using 1:2:3 lc rgb '#2ca02c' dt 1
unset multiplot
