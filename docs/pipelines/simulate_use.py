"""How much of each commitment the Poisson/lognormal pipeline selects by 2029-01-19
(selection stops when the commitment is used; the last project is cut to what is left).
python3 simulate_use.py   (standard library, seed fixed)"""
import math, random
from statistics import NormalDist
Z95 = NormalDist().inv_cdf(0.95)
def run(label, lam, years, median, p95, commit, listed=0.0, paths=20000, seed=20251114):
    rng = random.Random(seed); sd = math.log(p95 / median) / Z95
    used_full, totals, counts = 0, [], []
    for _ in range(paths):
        t, total, n = 0.0, listed, 0
        while True:
            t += rng.expovariate(lam)
            if t > years or total >= commit: break
            total += min(rng.lognormvariate(math.log(median), sd), commit - total); n += 1
        used_full += total >= commit - 1e-9; totals.append(total); counts.append(n)
    totals.sort()
    print(f"{label}: mean selected {sum(totals)/paths:.0f} of {commit}; P(all used by deadline) "
          f"{used_full/paths:.2f}; p10 {totals[paths//10]:.0f}, median {totals[paths//2]:.0f}, "
          f"p90 {totals[9*paths//10]:.0f}; mean projects {sum(counts)/paths:.1f}")
run("JP strategic (lambda 6.2, + listed 36)", 6.2, 3.376, 10, 90, 550, listed=36.0)
run("KR MOU strategic (lambda 2.6)", 2.6, 3.181, 10, 90, 200)
run("KR MOU shipbuilding (lambda 9.7)", 9.7, 3.181, 3, 15, 150)
run("KR us-ask / kr-offer (lambda 4.5)", 4.5, 3.181, 10, 90, 350)

if __name__ == "__main__":
    print("-- sensitivity: Poisson means x1.5")
    run("JP strategic (lambda 9.3, + listed 36)", 9.3, 3.376, 10, 90, 550, listed=36.0)
    run("KR MOU strategic (lambda 3.9)", 3.9, 3.181, 10, 90, 200)
    run("KR us-ask / kr-offer (lambda 6.75)", 6.75, 3.181, 10, 90, 350)
