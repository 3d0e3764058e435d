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
 0.3945724832 0.3937717892 0.3953731772 1
 0.3945026846 0.3937018453 0.3953035238 2
 0.3945778523 0.3937815094 0.3953741953 3
EOD
$data_1_0 << EOD
 1.862825503 1.858583697 1.86706731 1
 1.860412081 1.856812427 1.864011734 2
 1.880237584 1.876563465 1.883911703 3
EOD
$data_2_0 << EOD
 0.0004116939597 0.0004097962225 0.000413591697 1
 0.0004125208054 0.0004102993946 0.0004147422162 2
 0.000415452349 0.0004126982391 0.0004182064589 3
EOD
set yrange [0:2.03462]
set xrange [-0.5:2.5]
set style data histogram
set style histogram errorbars gap 2 lw 1.5
set style fill solid 0.75 border -1
plot $data_0_0 using 1:2:3 lc rgb '#1f77b4' dt 1, $data_1_0 using 1:2:3 lc rgb '#ff7f0e' dt 1, $data_2_0 using 1:2:3 lc rgb '#2ca02c' dt 1
unset multiplot
