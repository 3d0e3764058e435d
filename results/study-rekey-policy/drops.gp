# ipsec-sim report: drops.  The data are inline; redraw in the folder with
#   gnuplot -e "fmt='png'" drops.gp   (or fmt='pdf', fmt='svg')
if (!exists('fmt')) fmt = 'png'
if (fmt eq 'png') set terminal pngcairo size 1000,434 noenhanced font ',10'
if (fmt eq 'pdf') set terminal pdfcairo size 10.42in,4.52in noenhanced font ',10'
if (fmt eq 'svg') set terminal svg size 1000,434 noenhanced font ',13.3' background 'white'
set output 'drops'.'.'.fmt
unset key
set grid ytics
set multiplot title "cellular-roadwarrior: packets lost, by node and reason\nmean of 10 replications per configuration, 95 % confidence interval (Student's t; percentile bootstrap for shares in %)"
set origin 0.0000, 0.1106
set size 1.0000, 0.7604
set arrow from screen 0.0100, 0.0737 to screen 0.0380, 0.0737 nohead lw 8 lc rgb '#1f77b4' dt 1
set label 'cgnat: link_down' at screen 0.0460, 0.0737 left
set arrow from screen 0.1860, 0.0737 to screen 0.2140, 0.0737 nohead lw 8 lc rgb '#ff7f0e' dt 1
set label 'cgnat: link_loss' at screen 0.2220, 0.0737 left
set arrow from screen 0.3620, 0.0737 to screen 0.3900, 0.0737 nohead lw 8 lc rgb '#2ca02c' dt 1
set label 'gw: no_sa' at screen 0.3980, 0.0737 left
set arrow from screen 0.5380, 0.0737 to screen 0.5660, 0.0737 nohead lw 8 lc rgb '#d62728' dt 1
set label 'ue: link_down' at screen 0.5740, 0.0737 left
set arrow from screen 0.7140, 0.0737 to screen 0.7420, 0.0737 nohead lw 8 lc rgb '#9467bd' dt 1
set label 'ue: link_loss' at screen 0.7500, 0.0737 left
set arrow from screen 0.0100, 0.0369 to screen 0.0380, 0.0369 nohead lw 8 lc rgb '#8c564b' dt 1
set label 'ue: no_sa' at screen 0.0460, 0.0369 left
unset title
set ylabel 'packets dropped per run'
set xtics ("gw.rekey_policy=make-before-break" 0, "gw.rekey_policy=break-before-make\nue.rekey_policy=break-before-make" 1, "reauth_time=150s" 2)
set xtics norotate
unset xlabel
unset label 100
set bmargin 3.5
set tmargin 1.0
$data_0_0 << EOD
 233.4 117.918557 348.881443 1
 233.4 117.918557 348.881443 2
 233.5 118.0205019 348.9794981 3
EOD
$data_1_0 << EOD
 585.8 538.6988191 632.9011809 1
 585.8 538.6988191 632.9011809 2
 585.8 538.6988191 632.9011809 3
EOD
$data_2_0 << EOD
 0 0 0 1
 88.2 82.1131576 94.2868424 2
 0 0 0 3
EOD
$data_3_0 << EOD
 562.5 276.0013205 848.9986795 1
 562.5 276.0013205 848.9986795 2
 562.5 276.0013205 848.9986795 3
EOD
$data_4_0 << EOD
 715.3 679.7393339 750.8606661 1
 714.5 679.1137266 749.8862734 2
 721.8 684.7610573 758.8389427 3
EOD
$data_5_0 << EOD
 0 0 0 1
 10 9.245947612 10.75405239 2
 0 0 0 3
EOD
set yrange [0:916.919]
set xrange [-0.5:2.5]
set style data histogram
set style histogram errorbars gap 2 lw 1.5
set style fill solid 0.75 border -1
plot $data_0_0 using 1:2:3 lc rgb '#1f77b4' dt 1, $data_1_0 using 1:2:3 lc rgb '#ff7f0e' dt 1, $data_2_0 using 1:2:3 lc rgb '#2ca02c' dt 1, $data_3_0 using 1:2:3 lc rgb '#d62728' dt 1, $data_4_0 using 1:2:3 lc rgb '#9467bd' dt 1, $data_5_0 using 1:2:3 lc rgb '#8c564b' dt 1
unset multiplot
