# ipsec-sim report: throughput.  The data are inline; redraw in the folder with
#   gnuplot -e "fmt='png'" throughput.gp   (or fmt='pdf', fmt='svg')
if (!exists('fmt')) fmt = 'png'
if (fmt eq 'png') set terminal pngcairo size 1000,418 noenhanced font ',10'
if (fmt eq 'pdf') set terminal pdfcairo size 10.42in,4.35in noenhanced font ',10'
if (fmt eq 'svg') set terminal svg size 1000,418 noenhanced font ',13.3' background 'white'
set output 'throughput'.'.'.fmt
unset key
set grid ytics
set multiplot title "cellular-roadwarrior: throughput per flow\nmean of 10 replications per configuration, 95 % confidence interval (Student's t; percentile bootstrap for shares in %)"
set origin 0.0000, 0.0766
set size 1.0000, 0.7895
set arrow from screen 0.0100, 0.0383 to screen 0.0380, 0.0383 nohead lw 8 lc rgb '#1f77b4' dt 1
set label 'up' at screen 0.0460, 0.0383 left
set arrow from screen 0.0960, 0.0383 to screen 0.1240, 0.0383 nohead lw 8 lc rgb '#ff7f0e' dt 1
set label 'down' at screen 0.1320, 0.0383 left
set arrow from screen 0.1820, 0.0383 to screen 0.2100, 0.0383 nohead lw 8 lc rgb '#2ca02c' dt 1
set label 'ping' at screen 0.2180, 0.0383 left
unset title
set ylabel 'throughput (payload) [Mbit/s]'
set xtics ("gw.rekey_policy=make-before-break" 0, "gw.rekey_policy=break-before-make\nue.rekey_policy=break-before-make" 1, "reauth_time=150s" 2)
set xtics norotate
unset xlabel
unset label 100
set bmargin 3.5
set tmargin 1.0
$data_0_0 << EOD
 0.3945718121 0.3937545079 0.3953891162 1
 0.3942483221 0.3934143749 0.3950822693 2
 0.3945637584 0.3937585862 0.3953689306 3
EOD
$data_1_0 << EOD
 1.865590604 1.857977227 1.873203981 1
 1.861092617 1.856663151 1.865522084 2
 1.880228188 1.876553132 1.883903243 3
EOD
$data_2_0 << EOD
 0.0004134979866 0.000411662205 0.0004153337682 1
 0.0004119194631 0.0004108145577 0.0004130243684 2
 0.0004176322148 0.0004158362404 0.0004194281891 3
EOD
set yrange [0:2.03462]
set xrange [-0.5:2.5]
set style data histogram
set style histogram errorbars gap 2 lw 1.5
set style fill solid 0.75 border -1
plot $data_0_0 using 1:2:3 lc rgb '#1f77b4' dt 1, $data_1_0 using 1:2:3 lc rgb '#ff7f0e' dt 1, $data_2_0 using 1:2:3 lc rgb '#2ca02c' dt 1
unset multiplot
