// Fuzzes the config-file path of the CLI (experiments/cli/common.cpp): the input is written
// to a file and parsed as `snnsim train --config FILE` would parse it, with the same option
// set as experiments/cli/cmd_train.cpp (keep the two in sync), then the same validation
// (require_positive, ModelOptions::apply, the --neurons cap, resolve_threads).
// Contract: succeed or throw snnsim::UsageError; nothing else escapes, nothing crashes.
#include "experiments/cli/common.hpp"
#include "fuzz_common.hpp"
#include "io/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace snnsim;
  using namespace snnsim::cli;
  static const auto path = fuzz::temp_file(".ini");
  fuzz::write_file(path, data, size);

  fuzz::expect_only<UsageError>([&] {
    CommonOptions common;
    models::DiehlCookParams params;
    ModelOptions model(params);
    std::string data_dir, out;
    std::size_t train_images = 0, epochs = 1, label_images = 0, checkpoint_every = 0;
    bool force = false, shuffle = false, no_label = false, resume = false;
    std::string record;
    std::uint32_t max_capped_in_a_row = 10;
    po::options_description main("Options");
    main.add_options()("data", po::value<std::string>(&data_dir)->default_value("data/mnist"), "")(
        "neurons", po::value<std::size_t>(&params.n_exc)->default_value(params.n_exc), "")(
        "train-images", po::value<std::size_t>(&train_images)->default_value(1000), "")(
        "epochs", po::value<std::size_t>(&epochs)->default_value(1), "")("shuffle", po::bool_switch(&shuffle), "")(
        "seed", po::value<std::uint64_t>(), "")("label-images", po::value<std::size_t>(&label_images)->default_value(0),
                                                "")("no-label", po::bool_switch(&no_label), "")(
        "out", po::value<std::string>(&out), "")("force", po::bool_switch(&force), "")(
        "checkpoint-every", po::value<std::size_t>(&checkpoint_every)->default_value(0), "")(
        "resume", po::bool_switch(&resume), "")("record-spikes", po::value<std::string>(&record)->default_value("none"),
                                                "")(
        "max-capped-in-a-row", po::value<std::uint32_t>(&max_capped_in_a_row)->default_value(10), "");
    add_common_options(main, common);
    po::options_description all;
    all.add(main).add(model.description());
    po::variables_map vm;
    if (!parse("train", "--out RUN.h5 [options]", {"--out", "fuzz.h5", "--config", path.string()}, all, vm, common))
      return;
    for (const char* k : {"train-images", "epochs", "neurons"}) require_positive(vm, k);
    model.apply(vm);
    (void)resolve_threads(common.threads);
    if (record != "none" && record != "exc" && record != "all")
      throw UsageError("--record-spikes must be none, exc or all");
    (void)resolve_seed(vm, "seed", /*quiet=*/true);
  });
  return 0;
}
