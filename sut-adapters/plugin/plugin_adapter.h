// plugin_adapter.h - drives an implementation through the C ABI of resvcheck_plugin.h, either
// loaded with dlopen (plugin:PATH, the linux adapter) or linked in (the simulator).
#pragma once

#include <array>
#include <memory>
#include <string>
#include <variant>

#include "adapter.h"
#include "error.h"
#include "resvcheck_plugin.h"

namespace resvcheck {

class PluginAdapter final : public Adapter {
public:
    // Takes an already created instance of `plugin`; `dl_handle` (may be null) is dlclose'd last.
    PluginAdapter(const resvcheck_plugin* plugin, void* instance, void* dl_handle, std::string name,
                  const resvcheck_plugin_threads* threads = nullptr);
    ~PluginAdapter() override;
    std::string_view name() const override { return name_; }
    std::string_view default_profile() const override;
    void reset() override;
    bool supports(const Op& op) const override;
    void apply(const Op& op, Observation& out) override;
    bool supports_threads() const override { return threads_ && threads_->apply_block; }
    void apply_block(std::span<const Op> ops, std::span<const uint8_t> threads, std::span<const uint8_t> schedule,
                     Block& out) override;

private:
    const resvcheck_plugin_threads* threads_;
    const resvcheck_plugin* plugin_;
    void* instance_;
    void* dl_;
    std::string name_;
    std::unique_ptr<resvcheck_obs> raw_;  // large: keep it off the stack and reuse it
    mutable std::array<int8_t, kOpKinds> supported_;  // by op kind: -1 not asked yet, else the answer
};

// Creates an instance of a linked-in plugin.
// `threads` (may be null): the plugin's concurrency entry (resvcheck_plugin_threads_entry).
Expected<std::unique_ptr<Adapter>> make_plugin_adapter(const resvcheck_plugin* plugin, const char* options, void* dl_handle,
                                                       std::string name, const resvcheck_plugin_threads* threads = nullptr);

// dlopen()s PATH (a bare name is a file in the working directory), checks the ABI version and
// creates an instance with `options`.
Expected<std::unique_ptr<Adapter>> load_plugin(const std::string& path, const std::string& options);

}  // namespace resvcheck
