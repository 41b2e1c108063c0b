# bench/plot.gp -- results.png from bench/run.sh's data (gnuplot, no X).
# gnuplot -e "raw='bench/results/raw'; out='bench/results/results.png'" bench/plot.gp
if (!exists("raw")) raw = 'bench/results/raw'
if (!exists("out")) out = 'bench/results/results.png'
set terminal pngcairo size 1200,460 font ",10" noenhanced
set output out
set multiplot layout 1,2 title "fcrdnsd benchmark (ratios within one run)"

set title "Hit path: server CPU per answered query"
set style data histogram
set style fill solid 0.8 border -1
set boxwidth 0.7
set ylabel "CPU microseconds per query"
set yrange [0:*]
set grid ytics
unset key
plot raw.'/hit.dat' using 2:xtic(1) lc rgb "#4472c4", \
     '' using 0:2:(sprintf("%.2f", $2)) with labels offset 0,0.8

set title "Miss path: latency at half of fcrdnsd's maximum rate"
unset style
set style data lines
set xlabel "ms from query to answer (check done)"
set ylabel "fraction of checks"
set yrange [0:1]
set key bottom right
set logscale x
plot raw.'/cdf-driver.dat' using 1:2 lw 2 title "libunbound driver", \
     raw.'/cdf-fcrdnsd.dat' using 1:2 lw 2 title "fcrdnsd", \
     raw.'/cdf-fcrdnsd-shm.dat' using 1:2 lw 1 dt 2 title "fcrdnsd, store on tmpfs"
unset multiplot
