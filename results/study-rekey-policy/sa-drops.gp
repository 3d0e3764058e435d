# ipsec-sim report: sa-drops.  The data are inline; redraw in the folder with
#   gnuplot -e "fmt='png'" sa-drops.gp   (or fmt='pdf', fmt='svg')
if (!exists('fmt')) fmt = 'png'
if (fmt eq 'png') set terminal pngcairo size 1000,418 noenhanced font ',10'
if (fmt eq 'pdf') set terminal pdfcairo size 10.42in,4.35in noenhanced font ',10'
if (fmt eq 'svg') set terminal svg size 1000,418 noenhanced font ',13.3' background 'white'
set output 'sa-drops'.'.'.fmt
unset key
set grid ytics
set multiplot title "cellular-roadwarrior: packets dropped by SAs, by reason (all nodes)\nmean of 10 replications per configuration, 95 % confidence interval (Student's t; percentile bootstrap for shares in %)"
set origin 0.0000, 0.0766
set size 1.0000, 0.7895
set arrow from screen 0.0100, 0.0383 to screen 0.0380, 0.0383 nohead lw 8 lc rgb '#1f77b4' dt 1
set label 'no_sa' at screen 0.0460, 0.0383 left
unset title
set ylabel 'packets dropped per run'
set xtics ("gw.rekey_policy=make-before-break" 0, "gw.rekey_policy=break-before-make\nue.rekey_policy=break-before-make" 1, "reauth_time=150s" 2)
set xtics norotate
unset xlabel
unset label 100
set bmargin 3.5
set tmargin 1.0
$data_0_0 << EOD
 0 0 0 1
 98.2 92.2263058 104.1736942 2
 0 0 0 3
EOD
set yrange [0:112.508]
set xrange [-0.5:2.5]
set style data histogram
set style histogram errorbars gap 2 lw 1.5
set style fill solid 0.75 border -1
plot $data_0_0 using 1:2:3 lc rgb '#1f77b4' dt 1
unset multiplot
