/* Random variates for C traffic generators, from ns-3's RNG: each handle is
 * a RandomVariableStream with a fixed stream number (AssignStreams), so its
 * draws depend only on RngSeedManager's seed and run and on that number. */
#include "ns3c.h"

#include <ns3/random-variable-stream.h>

#include <vector>

using namespace ns3;

struct Rng {
	Ptr<ExponentialRandomVariable> exp;
	Ptr<UniformRandomVariable> uniform;
};

static std::vector<Rng> g_rngs;

/* The two variables of a handle use streams 2k and 2k + 1 of the caller's
 * stream k.  Closed handles' slots are reused. */
extern "C" int ns3c_rng_open(int64_t stream)
{
	Rng r;
	r.exp = CreateObject<ExponentialRandomVariable>();
	r.exp->SetStream(2 * stream);
	r.uniform = CreateObject<UniformRandomVariable>();
	r.uniform->SetStream(2 * stream + 1);
	for (size_t i = 0; i < g_rngs.size(); i++) {
		if (!g_rngs[i].exp) {
			g_rngs[i] = r;
			return static_cast<int>(i);
		}
	}
	g_rngs.push_back(r);
	return static_cast<int>(g_rngs.size() - 1);
}

extern "C" void ns3c_rng_close(int rng)
{
	if (rng >= 0 && static_cast<size_t>(rng) < g_rngs.size()) {
		g_rngs[rng] = Rng{};
	}
}

extern "C" double ns3c_rng_exponential(int rng, double mean)
{
	return g_rngs[rng].exp->GetValue(mean, 0);
}

extern "C" double ns3c_rng_uniform(int rng)
{
	return g_rngs[rng].uniform->GetValue();
}
