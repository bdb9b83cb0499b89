// resvcheck-fuzz-seeds: seed corpora for the record-driven fuzz targets, and decoding of inputs.
//
//   resvcheck-fuzz-seeds encode OUTDIR TRACE|DIR...   regression traces -> records (where possible)
//   resvcheck-fuzz-seeds random OUTDIR [COUNT] [SEED] random records kept when they exercise a rule
//                                                      the kept set did not (the model's counts)
//   resvcheck-fuzz-seeds decode FILE...               print the trace an input means
//
// The decoder is state-dependent, so `encode` searches, op by op, for a record that the one
// decoder (trace/decoder.h) turns into exactly that op in the state reached; traces with an op no
// record can produce (e.g. a seqno the decoder never picks) are skipped and counted.
// Profile: RESVCHECK_PROFILE (default linux-6.12, the sim's); weights: RESVCHECK_WEIGHTS (all).
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>

#include "model_adapter.h"
#include "properties.h"
#include "rules.h"

using namespace resvcheck;
namespace fs = std::filesystem;

namespace {

const Profile& profile() {
    static Profile p = [] {
        const char* e = std::getenv("RESVCHECK_PROFILE");
        auto q = profile_by_name(e && *e ? e : "linux-6.12");
        if (!q) {
            fprintf(stderr, "unknown profile\n");
            std::exit(2);
        }
        return *q;
    }();
    return p;
}

void write_records(const fs::path& p, const std::vector<Record>& recs) {
    std::ofstream f(p, std::ios::binary);
    for (const auto& r : recs) f.write(reinterpret_cast<const char*>(r.data()), kRecordSize);
}

std::vector<Record> read_records(const fs::path& p) {
    std::ifstream f(p, std::ios::binary);
    std::string s((std::istreambuf_iterator<char>(f)), {});
    return to_records(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

// Records that decode to exactly the trace's ops, or nothing.
std::optional<std::vector<Record>> encode(const Trace& t, std::mt19937_64& rng) {
    Model m(profile());
    OpDecoder dec(fuzz_weights());
    std::vector<Record> out;
    for (const auto& st : t.steps) {
        if (m.precondition(st.op, st.misuse) || m.ended()) return std::nullopt;
        bool found = false;
        for (int tries = 0; tries < 400000 && !found; ++tries) {
            Record r;
            uint64_t v = rng();
            std::memcpy(r.data(), &v, kRecordSize);
            if (tries & 1) r[2] = r[2] & 7, r[3] = r[3] & 7, r[4] = r[4] & 15;  // small selectors half the time
            OpDecoder probe = dec;
            auto op = probe.decode(r.data(), m.view());
            if (op && *op == st.op && probe.misuse() == st.misuse) {
                dec = probe;
                out.push_back(r);
                found = true;
            }
        }
        if (!found) return std::nullopt;
        m.perform(st.op);
    }
    return out;
}

int cmd_encode(int argc, char** argv) {
    fs::path out = argv[2];
    fs::create_directories(out);
    std::mt19937_64 rng(1);
    int ok = 0, skipped = 0;
    std::vector<fs::path> files;
    for (int i = 3; i < argc; ++i) {
        if (fs::is_directory(argv[i])) {
            for (const auto& e : fs::recursive_directory_iterator(argv[i]))
                if (e.path().extension() == ".trace") files.push_back(e.path());
        } else {
            files.push_back(argv[i]);
        }
    }
    std::sort(files.begin(), files.end());
    for (const auto& f : files) {
        auto parsed = load_trace(f.string());
        if (!parsed) {
            fprintf(stderr, "%s\n", parsed.error().text().c_str());
            ++skipped;
            continue;
        }
        auto recs = encode(*parsed, rng);
        if (!recs) {
            fprintf(stderr, "skip %s: an op no record decodes to in that state\n", f.c_str());
            ++skipped;
            continue;
        }
        // Check: decoding the records gives back the same ops.
        Trace back = decode_records(*recs, fuzz_weights(), profile());
        const Trace& t = *parsed;
        bool same = back.steps.size() == t.steps.size();
        for (size_t i = 0; same && i < t.steps.size(); ++i) same = back.steps[i].op == t.steps[i].op;
        if (!same) {
            fprintf(stderr, "skip %s: decodes differently under profile %s\n", f.c_str(), std::string(profile().name).c_str());
            ++skipped;
            continue;
        }
        std::string name = "reg-" + f.parent_path().filename().string() + "-" + f.stem().string();
        write_records(out / name, *recs);
        ++ok;
    }
    printf("encoded %d traces, skipped %d\n", ok, skipped);
    return 0;
}

int cmd_random(int argc, char** argv) {
    fs::path out = argv[2];
    fs::create_directories(out);
    int count = argc > 3 ? std::atoi(argv[3]) : 20000;
    std::mt19937_64 rng(argc > 4 ? std::strtoull(argv[4], nullptr, 10) : 1);
    Model m(profile());
    ModelAdapter a(profile());
    std::vector<uint64_t> total(all_rules().size() + 64, 0);
    int kept = 0;
    for (int i = 0; i < count; ++i) {
        size_t n = 4 + rng() % 60;
        std::vector<Record> recs(n);
        for (auto& r : recs) {
            uint64_t v = rng();
            std::memcpy(r.data(), &v, kRecordSize);
            if (rng() & 1) r[2] &= 3, r[3] &= 7, r[4] &= 15;  // favour few handles: more interaction
        }
        m.clear_exercised();
        RecordSource src(recs, fuzz_weights(), &a);
        run(src, m, a, RunOptions{.record = false});
        bool fresh = false;
        const auto& ex = m.exercised();
        for (size_t k = 0; k < ex.size() && k < total.size(); ++k)
            if (ex[k] && total[k] < 3) fresh = true;  // keep up to ~3 inputs per rule
        if (!fresh) continue;
        for (size_t k = 0; k < ex.size() && k < total.size(); ++k)
            if (ex[k]) ++total[k];
        char name[32];
        snprintf(name, sizeof name, "rand-%05d", kept++);
        write_records(out / name, recs);
    }
    size_t covered = 0, applicable = 0;
    for (const auto& ri : all_rules())
        if (rule_applies(ri, profile())) {
            ++applicable;
            covered += total[static_cast<size_t>(ri.rule)] > 0;
        }
    printf("kept %d of %d random inputs; they exercise %zu of %zu rules of profile %s\n", kept, count, covered, applicable,
           std::string(profile().name).c_str());
    for (const auto& ri : all_rules())
        if (rule_applies(ri, profile()) && !total[static_cast<size_t>(ri.rule)]) printf("  not exercised: %s\n", std::string(ri.id).c_str());
    return 0;
}

int cmd_decode(int argc, char** argv) {
    for (int i = 2; i < argc; ++i) {
        Trace t = decode_records(read_records(argv[i]), fuzz_weights(), profile());
        t.header.push_back(" decoded from " + std::string(argv[i]));
        fputs(print_trace(t).c_str(), stdout);
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    std::string_view cmd = argc > 1 ? argv[1] : "";
    if (cmd == "encode" && argc > 3) return cmd_encode(argc, argv);
    if (cmd == "random" && argc > 2) return cmd_random(argc, argv);
    if (cmd == "decode" && argc > 2) return cmd_decode(argc, argv);
    fprintf(stderr, "usage: resvcheck-fuzz-seeds encode OUTDIR TRACE|DIR... | random OUTDIR [COUNT] [SEED] | decode FILE...\n");
    return 2;
}
