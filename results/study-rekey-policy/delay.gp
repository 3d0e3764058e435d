# ipsec-sim report: delay.  The data are inline; redraw in the folder with
#   gnuplot -e "fmt='png'" delay.gp   (or fmt='pdf', fmt='svg')
if (!exists('fmt')) fmt = 'png'
if (fmt eq 'png') set terminal pngcairo size 1000,1078 noenhanced font ',10'
if (fmt eq 'pdf') set terminal pdfcairo size 10.42in,11.23in noenhanced font ',10'
if (fmt eq 'svg') set terminal svg size 1000,1078 noenhanced font ',13.3' background 'white'
set output 'delay'.'.'.fmt
unset key
set grid ytics
set multiplot title "cellular-roadwarrior: delay per flow: one-way for UDP, round trip for ping and reqresp\nmean of 10 replications per configuration, 95 % confidence interval (Student's t; percentile bootstrap for shares in %)"
set ylabel 'delay [ms]'
set origin 0.0000, 0.6419
set size 1.0000, 0.3061
set title "up"
set xtics ("gw.rekey_policy=make-before-break" 0, "gw.rekey_policy=break-before-make\nue.rekey_policy=break-before-make" 1, "reauth_time=150s" 2)
set xtics norotate
unset xlabel
unset label 100
set bmargin 3.5
set tmargin 2.0
$delay0_0_0 << EOD
 47.50198296 47.41098882 47.5929771 1
 47.50158112 47.4114709 47.59169134 2
 47.50077356 47.40806167 47.59348544 3
EOD
$delay0_1_0 << EOD
 46.1752739 46.06458609 46.28596171 1
 46.1759226 46.0664729 46.2853723 2
 46.1783953 46.06605865 46.29073195 3
EOD
$delay0_2_0 << EOD
 76.84812188 76.00243776 77.69380599 1
 76.8486525 76.00338136 77.69392364 2
 76.85946758 76.00661164 77.71232351 3
EOD
set yrange [0:83.9293]
set xrange [-0.5:2.5]
set style data histogram
set style histogram errorbars gap 2 lw 1.5
set style fill solid 0.75 border -1
plot $delay0_0_0 using 1:2:3 lc rgb '#1f77b4' dt 1, $delay0_1_0 using 1:2:3 lc rgb '#ff7f0e' dt 1, $delay0_2_0 using 1:2:3 lc rgb '#2ca02c' dt 1
set origin 0.0000, 0.3358
set size 1.0000, 0.3061
set title "down"
set xtics ("gw.rekey_policy=make-before-break" 0, "gw.rekey_policy=break-before-make\nue.rekey_policy=break-before-make" 1, "reauth_time=150s" 2)
set xtics norotate
unset xlabel
unset label 100
set bmargin 3.5
set tmargin 2.0
$delay1_0_0 << EOD
 46.98045024 46.85588279 47.10501769 1
 46.98156323 46.85695188 47.10617458 2
 46.98320193 46.86091992 47.10548393 3
EOD
$delay1_1_0 << EOD
 45.69641915 45.57020338 45.82263492 1
 45.69440255 45.56650483 45.82230027 2
 45.6975315 45.57622926 45.81883374 3
EOD
$delay1_2_0 << EOD
 76.9021494 76.38356397 77.42073483 1
 76.9021494 76.38356397 77.42073483 2
 76.904729 76.39096437 77.41849363 3
EOD
set yrange [0:83.6144]
set xrange [-0.5:2.5]
set style data histogram
set style histogram errorbars gap 2 lw 1.5
set style fill solid 0.75 border -1
plot $delay1_0_0 using 1:2:3 lc rgb '#1f77b4' dt 1, $delay1_1_0 using 1:2:3 lc rgb '#ff7f0e' dt 1, $delay1_2_0 using 1:2:3 lc rgb '#2ca02c' dt 1
set origin 0.0000, 0.0297
set size 1.0000, 0.3061
set arrow from screen 0.0100, 0.0148 to screen 0.0380, 0.0148 nohead lw 8 lc rgb '#1f77b4' dt 1
set label 'mean' at screen 0.0460, 0.0148 left
set arrow from screen 0.0960, 0.0148 to screen 0.1240, 0.0148 nohead lw 8 lc rgb '#ff7f0e' dt 1
set label 'p50' at screen 0.1320, 0.0148 left
set arrow from screen 0.1820, 0.0148 to screen 0.2100, 0.0148 nohead lw 8 lc rgb '#2ca02c' dt 1
set label 'p99' at screen 0.2180, 0.0148 left
set title "ping"
set xtics ("gw.rekey_policy=make-before-break" 0, "gw.rekey_policy=break-before-make\nue.rekey_policy=break-before-make" 1, "reauth_time=150s" 2)
set xtics norotate
unset xlabel
unset label 100
set bmargin 3.5
set tmargin 2.0
$delay2_0_0 << EOD
 92.61267617 92.08430544 93.14104691 1
 92.6046392 92.09122843 93.11804997 2
 92.62440751 92.07621527 93.17259976 3
EOD
$delay2_1_0 << EOD
 91.3698645 90.86571803 91.87401097 1
 91.3982434 90.89807577 91.89841103 2
 91.4227769 90.89405123 91.95150257 3
EOD
$delay2_2_0 << EOD
 130.3528855 128.1404997 132.5652713 1
 130.3282314 128.1275507 132.5289121 2
 130.1973705 127.9515847 132.4431562 3
EOD
set yrange [0:143.17]
set xrange [-0.5:2.5]
set style data histogram
set style histogram errorbars gap 2 lw 1.5
set style fill solid 0.75 border -1
plot $delay2_0_0 using 1:2:3 lc rgb '#1f77b4' dt 1, $delay2_1_0 using 1:2:3 lc rgb '#ff7f0e' dt 1, $delay2_2_0 using 1:2:3 lc rgb '#2ca02c' dt 1
unset multiplot
