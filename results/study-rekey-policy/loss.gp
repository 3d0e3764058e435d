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
 1.35704698 1.189261745 1.525 1
 1.437919463 1.262403523 1.601182886 2
 1.359060403 1.193456376 1.52466443 3
EOD
$data_1_0 << EOD
 6.720469799 6.393152685 7.010001678 1
 6.945369128 6.756642617 7.119605705 2
 5.988590604 5.838318792 6.139607383 3
EOD
$data_2_0 << EOD
 7.701342282 7.365771812 8.036912752 1
 8.053691275 7.852348993 8.238255034 2
 6.77852349 6.44295302 7.11409396 3
EOD
set yrange [0:8.89732]
set xrange [-0.5:2.5]
set style data histogram
set style histogram errorbars gap 2 lw 1.5
set style fill solid 0.75 border -1
plot $data_0_0 using 1:2:3 lc rgb '#1f77b4' dt 1, $data_1_0 using 1:2:3 lc rgb '#ff7f0e' dt 1, $data_2_0 using 1:2:3 lc rgb '#2ca02c' dt 1
unset multiplot
