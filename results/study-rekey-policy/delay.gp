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
 47.5012859 47.41006381 47.592508 1
 47.49950524 47.40715331 47.59185717 2
 47.50001896 47.40768383 47.5923541 3
EOD
$delay0_1_0 << EOD
 46.1784681 46.06467962 46.29225658 1
 46.1743985 46.06092645 46.28787055 2
 46.1783734 46.06353667 46.29321013 3
EOD
$delay0_2_0 << EOD
 76.85476244 76.00918979 77.70033508 1
 76.85567523 76.010048 77.70130246 2
 76.8504953 76.0063334 77.6946572 3
EOD
set yrange [0:83.9174]
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
 46.97859139 46.85348978 47.103693 1
 46.9806632 46.85596465 47.10536176 2
 46.98387722 46.86170186 47.10605259 3
EOD
$delay1_1_0 << EOD
 45.6893997 45.56634147 45.81245793 1
 45.69107745 45.56254008 45.81961482 2
 45.6987876 45.5764237 45.8211515 3
EOD
$delay1_2_0 << EOD
 76.90198876 76.38108471 77.42289281 1
 76.9110415 76.39793413 77.42414887 2
 76.904729 76.39096437 77.41849363 3
EOD
set yrange [0:83.6181]
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
 92.62579441 92.08489723 93.16669159 1
 92.64335961 92.10673307 93.17998614 2
 92.62254523 92.10421413 93.14087633 3
EOD
$delay2_1_0 << EOD
 91.4138439 90.82737069 92.00031711 1
 91.42648775 90.86333609 91.98963941 2
 91.4169614 90.87485042 91.95907238 3
EOD
$delay2_2_0 << EOD
 130.2083695 128.1000506 132.3166885 1
 130.2228452 128.104908 132.3407824 2
 130.4699963 128.4258367 132.514156 3
EOD
set yrange [0:143.115]
set xrange [-0.5:2.5]
set style data histogram
set style histogram errorbars gap 2 lw 1.5
set style fill solid 0.75 border -1
plot $delay2_0_0 using 1:2:3 lc rgb '#1f77b4' dt 1, $delay2_1_0 using 1:2:3 lc rgb '#ff7f0e' dt 1, $delay2_2_0 using 1:2:3 lc rgb '#2ca02c' dt 1
unset multiplot
