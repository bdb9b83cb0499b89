// model_adapter.h - the reference model run as an implementation (the suite's self-check).
#pragma once

#include <memory>

#include "adapter.h"
#include "model.h"

namespace resvcheck {

class ModelAdapter final : public Adapter {
public:
    explicit ModelAdapter(const Profile& profile) : model_(profile) {}
    std::string_view name() const override { return "model"; }
    std::string_view default_profile() const override { return model_.profile().name; }
    void reset() override { model_.reset(); }
    bool supports(const Op&) const override { return true; }
    void apply(const Op& op, Observation& out) override { out = model_.perform(op); }

private:
    Model model_;
};

}  // namespace resvcheck
