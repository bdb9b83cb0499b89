#include "plugin_adapter.h"

#include <dlfcn.h>

#include <cstring>

#include "abi_codec.h"

namespace resvcheck {

PluginAdapter::PluginAdapter(const resvcheck_plugin* plugin, void* instance, void* dl_handle, std::string name,
                             const resvcheck_plugin_threads* threads)
    : threads_(threads), plugin_(plugin), instance_(instance), dl_(dl_handle), name_(std::move(name)), raw_(std::make_unique<resvcheck_obs>()) {
    supported_.fill(-1);
}

PluginAdapter::~PluginAdapter() {
    plugin_->destroy(instance_);
    if (dl_) dlclose(dl_);
}

std::string_view PluginAdapter::default_profile() const { return plugin_->profile ? plugin_->profile : "contract"; }

void PluginAdapter::reset() { plugin_->reset(instance_); }

bool PluginAdapter::supports(const Op& op) const {
    int8_t& known = supported_[op.index()];  // asked once per kind: the answer is fixed (resvcheck_plugin.h)
    if (known < 0) known = plugin_->supports(instance_, op_abi(op)) != 0;
    return known;
}

void PluginAdapter::apply(const Op& op, Observation& out) {
    resvcheck_op raw_op = encode_op(op);
    // Only the counters need clearing: the plugin writes the entries it reports.
    raw_->ret = 0;
    raw_->flags = raw_->warnings = raw_->n_fences = raw_->n_callbacks = raw_->n_released = raw_->n_deadlines = raw_->slept = 0;
    int st = plugin_->apply(instance_, &raw_op, raw_.get());
    decode_observation(*raw_, out);
    if (raw_->flags & RC_OBS_LOCKDEP) {
        const char* m = plugin_->last_error ? plugin_->last_error(instance_) : nullptr;
        out.lockdep = m && *m ? m : "lockdep: (no text)";
    }
    if (st == RC_APPLY_UNSUPPORTED) {
        out.status = Observation::Status::Unsupported;
    } else if (st != RC_APPLY_OK) {
        out.status = Observation::Status::Bug;
        const char* m = plugin_->last_error ? plugin_->last_error(instance_) : nullptr;
        out.message = m && *m ? m : "the implementation reported a BUG";
    }
}

void PluginAdapter::apply_block(std::span<const Op> ops, std::span<const uint8_t> threads, std::span<const uint8_t> schedule,
                                Block& out) {
    const size_t n = ops.size();
    std::vector<resvcheck_op> raw_ops(n);
    for (size_t i = 0; i < n; ++i) raw_ops[i] = encode_op(ops[i]);
    std::vector<resvcheck_obs> raw_obs(n);
    std::vector<int32_t> status(n, -1);
    out.obs.assign(n, Observation{});
    out.start.assign(n, 0);
    out.end.assign(n, 0);
    constexpr uint32_t kCap = 1u << 16;
    out.realised.assign(kCap, 0);
    out.runnable.assign(kCap, 0);
    resvcheck_block b{};
    b.n = static_cast<uint32_t>(n);
    b.ops = raw_ops.data();
    b.threads = threads.data();
    b.schedule = schedule.data();
    b.nsched = static_cast<uint32_t>(schedule.size());
    b.obs = raw_obs.data();
    b.status = status.data();
    b.start = out.start.data();
    b.end = out.end.data();
    b.realised = out.realised.data();
    b.runnable = out.runnable.data();
    b.cap = kCap;
    out.deadlock = threads_->apply_block(instance_, &b) != 0;
    out.message = b.message;
    out.realised.resize(std::min(b.nrealised, kCap));
    out.runnable.resize(out.realised.size());
    out.ndefault = std::min(b.ndefault, static_cast<uint32_t>(out.realised.size()));
    for (size_t i = 0; i < n; ++i) {
        auto& o = out.obs[i];
        if (status[i] < 0) {
            o.status = Observation::Status::Hang;  // never ran: an earlier op of its thread failed
            o.message = out.deadlock ? out.message : "not run: an earlier op of its thread failed";
            continue;
        }
        decode_observation(raw_obs[i], o);
        if (status[i] == RC_APPLY_UNSUPPORTED) {
            o.status = Observation::Status::Unsupported;
        } else if (status[i] != RC_APPLY_OK && out.deadlock) {
            o.status = Observation::Status::Hang;  // unwound by the scheduler: it waited forever
            o.message = out.message;
        } else if (status[i] != RC_APPLY_OK) {
            o.status = Observation::Status::Bug;
            const char* m = plugin_->last_error ? plugin_->last_error(instance_) : nullptr;
            o.message = m && *m ? m : "the implementation reported a BUG";
        }
    }
}

namespace {
Error setup_error(std::string message) { return Error{ErrorKind::Setup, std::move(message)}; }
}  // namespace

Expected<std::unique_ptr<Adapter>> make_plugin_adapter(const resvcheck_plugin* plugin, const char* options, void* dl_handle,
                                                       std::string name, const resvcheck_plugin_threads* threads) {
    if (!plugin) return setup_error("the plugin entry point returned NULL");
    if (plugin->abi_version != RESVCHECK_PLUGIN_ABI_VERSION)
        return setup_error("plugin ABI version " + std::to_string(plugin->abi_version) + ", this resvcheck speaks version " +
                           std::to_string(RESVCHECK_PLUGIN_ABI_VERSION) + ": rebuild the plugin against this resvcheck_plugin.h");
    if (!plugin->create || !plugin->destroy || !plugin->reset || !plugin->supports || !plugin->apply)
        return setup_error("the plugin leaves a required function pointer NULL (create, destroy, reset, supports, apply)");
    char err[4096] = "";  // the sim lists all its faults in an unknown-fault error
    void* inst = plugin->create(options, err, sizeof err);
    if (!inst) return setup_error(std::string("the plugin could not start: ") + (err[0] ? err : "create() returned NULL"));
    return std::unique_ptr<Adapter>(std::make_unique<PluginAdapter>(plugin, inst, dl_handle, std::move(name), threads));
}

Expected<std::unique_ptr<Adapter>> load_plugin(const std::string& path, const std::string& options) {
    // A bare file name means a file in the working directory, as for every other path argument,
    // not a search of the library path.
    const std::string file = path.find('/') == std::string::npos ? "./" + path : path;
    // RTLD_LOCAL keeps two kernel trees loaded side by side from clashing. RTLD_NODELETE: the
    // scheduler threads of a plugin that runs concurrent blocks outlive its instances, in its code.
    void* dl = dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
    if (!dl) return setup_error("cannot load plugin " + path + ": " + dlerror());
    auto entry = reinterpret_cast<resvcheck_plugin_entry_fn>(dlsym(dl, RESVCHECK_PLUGIN_ENTRY));
    if (!entry) {
        dlclose(dl);
        return setup_error(path + " is not a resvcheck plugin: it does not export " RESVCHECK_PLUGIN_ENTRY "()");
    }
    const resvcheck_plugin* p = entry();
    std::string name = p && p->name ? p->name : path;
    auto threads = reinterpret_cast<resvcheck_plugin_threads_entry_fn>(dlsym(dl, RESVCHECK_PLUGIN_THREADS_ENTRY));
    auto r = make_plugin_adapter(p, options.empty() ? nullptr : options.c_str(), dl, name, threads ? threads() : nullptr);
    if (!r) dlclose(dl);
    return r;
}

}  // namespace resvcheck
