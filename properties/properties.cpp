#include "properties.h"

#include <cstdlib>
#include <cstring>

#include <rapidcheck.h>
#include <rapidcheck/detail/TestListenerAdapter.h>

namespace resvcheck {
namespace {

using R = Rule;

const std::vector<PropertyDef> kProperties = {
    {"fence", "fence", "dma_fence alone: seqno order, signalling, status, callbacks, references",
     {R::FENCE_SEQNO_LATER_32, R::FENCE_SEQNO_LATER_64, R::FENCE_LATER_STRICT, R::FENCE_LATER_OR_SAME_IDENTITY,
      R::FENCE_INIT_UNSIGNALED, R::FENCE_SIGNAL_FIRST, R::FENCE_SIGNAL_ONCE, R::FENCE_SIGNALED_STICKY, R::FENCE_STATUS_PENDING,
      R::FENCE_STATUS_OK, R::FENCE_STATUS_ERROR, R::FENCE_ERROR_BEFORE_SIGNAL, R::FENCE_ERROR_AFTER_SIGNAL_WARNS, R::FENCE_WAIT_POLL,
      R::FENCE_CB_ADD_PENDING, R::FENCE_CB_ADD_SIGNALED, R::FENCE_CB_RUN_ON_SIGNAL, R::FENCE_CB_ONCE, R::FENCE_CB_REMOVE_PENDING,
      R::FENCE_CB_REMOVE_DONE, R::FENCE_REF_RELEASE, R::FENCE_REF_RELEASE_ONCE, R::FENCE_REF_NO_EARLY_RELEASE}},
    {"lock", "lock", "ww_mutex locking of reservation objects with several acquire contexts",
     {R::WW_LOCK_UNCONTENDED, R::WW_EALREADY, R::WW_WAIT_DIE_YOUNGER, R::WW_OLDER_NEVER_DIES, R::WW_INTERRUPTIBLE_EINTR, R::WW_LOCK_SLOW,
      R::WW_TRYLOCK, R::WW_IS_LOCKED, R::WW_LOCKING_CTX}},
    {"resv", "resv.add", "reservation, adding, replacing and copying fences, and the queries over them",
     {R::RESV_RESERVE_OK, R::RESV_RESERVE_ZERO, R::RESV_RESERVE_KEEPS_UNSIGNALED, R::RESV_ADD_LISTED, R::RESV_ADD_NO_REPLACE_WEAKER,
      R::RESV_ADD_NO_REPLACE_OLDER, R::RESV_ADD_OTHER_CONTEXT_KEPT, R::RESV_ADD_DROPS_REPLACED_REF, R::RESV_REPLACE_ALL_OF_CONTEXT,
      R::RESV_REPLACE_OTHERS_KEPT, R::RESV_REPLACE_REFS, R::RESV_COPY_RETURNS_0, R::RESV_COPY_UNSIGNALED, R::RESV_COPY_KEEPS_USAGE,
      R::RESV_COPY_REPLACES_DST, R::RESV_USAGE_FILTER, R::RESV_GET_FENCES, R::RESV_SINGLETON_NONE, R::RESV_SINGLETON_ONE,
      R::RESV_SINGLETON_ARRAY, R::RESV_TEST_SIGNALED, R::RESV_WAIT_POLL, R::RESV_USAGE_RW, R::RESV_ITER_LOCKED_ALL,
      R::RESV_INIT_EMPTY, R::RESV_NO_PHANTOM, R::RESV_FINI_DROPS_REFS, R::RESV_UNLOCK_KEEPS_FENCES}},
    {"resv-exact", "resv.add", "slot-by-slot kernel behaviour of reserve and add (exact profiles)",
     {R::RESV_ADD_REPLACE_SAME_CONTEXT, R::RESV_ADD_REUSE_SIGNALED, R::RESV_ADD_FIRST_MATCH_ONLY, R::RESV_ADD_APPEND, R::RESV_SLOT_ORDER,
      R::RESV_RESERVE_PRUNES_SIGNALED, R::RESV_EXACT_CAPACITY, R::RESV_ITER_LOCKED_YIELDS_SIGNALED}},
    {"iter", "iter", "locked and unlocked iteration, paused iterators with writes in between",
     {R::RESV_ITER_LOCKED_ALL, R::RESV_ITER_LOCKED_RESTARTED, R::RESV_ITER_UNLOCKED_SKIPS_SIGNALED, R::RESV_ITER_UNLOCKED_COMPLETE,
      R::RESV_ITER_ONCE_PER_ENTRY, R::RESV_ITER_RESTART_FLAG, R::RESV_ITER_NO_SPURIOUS_RESTART, R::RESV_ITER_HOLDS_REF}},
    {"iter-exact", "iter", "unlocked iterator restarts and snapshots (exact profiles)",
     {R::RESV_ITER_RESTART_ON_REALLOC, R::RESV_ITER_SNAPSHOT}},
    {"all", "all", "every op mixed", {R::WARN_ONLY_PREDICTED, R::RESV_DEADLINE, R::RESV_WAIT_NOTHING, R::FENCE_WAIT_SIGNALED}},
    {"containers", "containers", "fence containers: long chains, arrays, chains of arrays, unwrap, merge, find_seqno, the stub",
     {R::CHAIN_INIT_CONTEXT, R::CHAIN_SEQNO_NOT_BACKWARDS, R::CHAIN_WALK_COLLECTS, R::CHAIN_FIND_SEQNO_ZERO, R::CHAIN_FIND_SEQNO_EINVAL,
      R::CHAIN_FIND_SEQNO, R::CHAIN_SIGNALED, R::CHAIN_REFS, R::ARRAY_SIGNAL_ALL, R::ARRAY_SIGNAL_ANY, R::ARRAY_PENDING_ERROR_HIDDEN,
      R::ARRAY_REFS, R::UNWRAP_LEAVES, R::MERGE_STUB, R::MERGE_SINGLE, R::MERGE_ARRAY, R::MERGE_ORDER, R::MERGE_REFS,
      R::STUB_SIGNALED, R::STUB_GLOBAL_SIGNALED, R::FENCE_IS_CONTAINER}},
    // after "all" so the other properties keep their case seeds
    {"locking", "locking", "driver-side lock order and fence signalling against the primed lockdep order",
     {R::SIG_BEGIN_COOKIE, R::SIG_END_BALANCED, R::SIG_NO_RESV, R::SIG_NO_RECLAIM_ALLOC, R::SIG_NO_USER_FAULT, R::SIG_NO_WAIT_LOCKS,
      R::SIG_RUN_JOB, R::RECLAIM_SHRINKER_TRYLOCK, R::RECLAIM_NO_USER_UNDER_RESV, R::LOCKDEP_CYCLE}},
    {"alloc", "alloc", "allocation failure: the error paths of reserve, get_fences, array creation, merge and the stub",
     {R::ALLOC_NO_LEAK, R::RESV_RESERVE_ENOMEM, R::RESV_GET_FENCES_ENOMEM, R::ARRAY_CREATE_ENOMEM, R::STUB_ENOMEM, R::MERGE_ENOMEM}},
    {"drm_exec", "drm_exec", "drm_exec: several objects locked with back-off and retry, contention from an older context",
     {R::DRM_EXEC_LOCKED_SET, R::DRM_EXEC_DUPLICATE, R::DRM_EXEC_CONTENTION, R::DRM_EXEC_BACKOFF, R::DRM_EXEC_CONTENDED_FIRST,
      R::DRM_EXEC_PREPARE_RESERVES, R::DRM_EXEC_UNLOCK_OBJ, R::DRM_EXEC_FINI, R::DRM_EXEC_LOOP_TERMINATES}},
    {"misuse", "misuse", "deliberate misuse the kernel catches: add_fence beyond the reserved slots (BUG), a container added, set_error after signalling, reserve_fences(0) (WARN)",
     {R::MISUSE_ADD_BEYOND_RESERVED, R::MISUSE_ADD_CONTAINER_WARNS, R::FENCE_ERROR_AFTER_SIGNAL_WARNS, R::RESV_RESERVE_ZERO}},
};

}  // namespace

std::span<const PropertyDef> all_properties() { return kProperties; }

std::optional<Op> RecordSource::next(const Model& model) {
    while (pos_ < records_.size()) {
        auto op = decoder_.decode(records_[pos_++].data(), model.view());
        if (!op || !model.has_op(*op) || model.precondition(*op, decoder_.misuse()) || (adapter_ && !adapter_->runs(*op))) continue;
        return op;
    }
    // every case ends with a teardown: a reference or memory the case leaked then shows
    if (!torn_down_ && !model.ended()) {
        torn_down_ = true;
        const Op td = teardown_for(model, adapter_);
        if (model.has_op(td) && !model.precondition(td) && (!adapter_ || adapter_->supports(td))) return td;
    }
    return std::nullopt;
}

void RecordSource::restart(std::span<const Record> records) {
    records_ = records;
    pos_ = 0;
    torn_down_ = false;
    decoder_.reset();
}

std::vector<Record> to_records(const uint8_t* data, size_t size) {
    std::vector<Record> recs(std::min(size / kRecordSize, kMaxRecords));
    for (size_t i = 0; i < recs.size(); ++i) std::memcpy(recs[i].data(), data + i * kRecordSize, kRecordSize);
    return recs;
}

const MoveWeights& fuzz_weights() {
    static const MoveWeights& w = []() -> const MoveWeights& {
        const char* name = std::getenv("RESVCHECK_WEIGHTS");
        return weights_for(name && *name ? name : "all");
    }();
    return w;
}

Trace decode_records(const std::vector<Record>& records, const MoveWeights& weights, const Profile& profile) {
    Model m(profile);
    RecordSource src(records, weights, nullptr);
    Trace t;
    while (auto op = src.next(m)) {
        const bool misuse = m.misuse(*op).has_value();
        m.perform(*op);
        t.steps.push_back(TraceStep{*op, std::nullopt, {}, 0});
        t.steps.back().misuse = misuse;
        if (m.ended()) break;
    }
    return t;
}

PropertyRun check_property(const PropertyDef& p, Model& model, Adapter& adapter, const PropertyParams& params) {
    PropertyRun out;
    const MoveWeights& w = weights_for(p.weights);
    std::optional<Rule> target;
    bool reported_first = false;
    auto prop = [&](const std::vector<Record>& records) {
        if (params.stop && params.stop()) return;  // out of budget: let the batch end quickly
        RecordSource src(records, w, &adapter);
        RunResult r = run(src, model, adapter);
        ++out.cases;
        out.ops += r.ops_run;
        if (params.on_case) params.on_case(r);
        bool fails = r.verdict == Verdict::Violation && !params.ignore.count(r.divergence->rule) &&
                     (!target || r.divergence->rule == *target);
        if (!fails) return;
        if (!target) target = r.divergence->rule;
        if (!reported_first && params.on_first_failure) {
            reported_first = true;
            params.on_first_failure(r);
        }
        out.failure = r;  // RapidCheck shrinks towards smaller failing inputs: the last one is the smallest
        RC_FAIL(std::string(rule_id(r.divergence->rule)) + " violated at op " + std::to_string(r.divergence->op_index));
    };
    rc::detail::TestParams tp;
    tp.seed = params.seed;
    tp.maxSuccess = params.cases;
    tp.maxSize = params.max_size;
    rc::detail::TestMetadata md;
    md.id = std::string(p.name);
    md.description = std::string(p.description);
    rc::detail::TestListenerAdapter quiet;
    auto result = rc::detail::checkProperty(rc::detail::toProperty(prop), md, tp, quiet);
    if (result.is<rc::detail::FailureResult>()) out.message = result.get<rc::detail::FailureResult>().description;
    if (result.is<rc::detail::GaveUpResult>()) out.message = "gave up: " + result.get<rc::detail::GaveUpResult>().description;
    if (result.is<rc::detail::Error>()) out.message = "error: " + result.get<rc::detail::Error>().description;
    return out;
}

}  // namespace resvcheck
