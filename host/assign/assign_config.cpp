#include "host/assign/assign_config.hpp"

#include <sstream>

#include "host/common/errors.hpp"
#include "host/config/toml_read.hpp"

namespace airtp {

static void read_device(const std::string& file, const toml::table& t, int i, AssignDevice& d) {
  const std::string field = "device[" + std::to_string(i) + "]";
  TomlReader r(file + " " + field, t);
  std::string preset;
  r.get("preset", preset);
  d = preset.empty() ? AssignDevice{"custom"} : device_preset(preset, "config '" + file + "': " + field + ".preset");
  r.get("flops", d.flops);
  r.get("memory_bytes", d.memory_bytes);
  r.get("energy_per_param", d.energy_per_param);
  r.get("energy_budget", d.energy_budget);
  r.get("distance_m", d.distance_m);
  r.get("path_loss_db", d.path_loss_db);
  r.get("n_tx", d.n_tx);
  r.reject_unknown();
}

void load_assign_config(const std::string& path, AssignConfig& c) {
  const toml::table root = parse_toml_file(path);
  // The [[device]] list is read entry by entry below; everything else through one reader.
  toml::table rest = root;
  rest.erase("device");
  TomlReader r(path, rest);
  std::string command;
  r.get("command", command);
  if (!command.empty() && command != "assign") r.fail("command", "is '" + command + "', expected 'assign'");
  r.get("seed", c.seed);
  r.get("backend", c.backend);
  r.get("solver", c.solver);
  r.get("solver_options.draws", c.solver_options.draws);
  r.get("solver_options.fast_starts", c.solver_options.fast_starts);
  r.get("solver_options.fast_iters", c.solver_options.fast_iters);
  r.get("devices", c.device_mix);
  AssignScenario& s = c.scenario;
  std::string model;
  r.get("model.name", model);
  if (!model.empty()) s.model = model_shape(model, "config '" + path + "': model.name");
  r.get("model.dim", s.model.dim);
  r.get("model.hidden", s.model.hidden);
  r.get("model.layers", s.model.layers);
  r.get("model.heads", s.model.heads);
  r.get("model.kv_heads", s.model.kv_heads);
  r.get("model.bytes_per_param", s.model.bytes_per_param);
  r.get("model.tokens", s.tokens);
  r.get("channel.n_rx", s.n_rx);
  r.get("channel.streams", s.streams);
  r.get("channel.k_factor_db", s.k_factor_db);
  r.get("noise.noise_density_dbm_hz", s.noise_density_dbm_hz);
  r.get("noise.path_loss_db_at_1m", s.path_loss_db_at_1m);
  r.get("noise.path_loss_exponent", s.path_loss_exponent);
  SscaOptions& o = c.ssca;
  r.get("ssca.iterations", o.iterations);
  r.get("ssca.batch", o.batch);
  r.get("ssca.validation", o.validation);
  r.get("ssca.validate_every", o.validate_every);
  r.get("ssca.rho_scale", o.rho_scale);
  r.get("ssca.rho_exp", o.rho_exp);
  r.get("ssca.gamma_scale", o.gamma_scale);
  r.get("ssca.gamma_exp", o.gamma_exp);
  r.get("ssca.curvature", o.curvature);
  r.get("ssca.energy_margin", o.energy_margin);
  r.get("ssca.m0", o.m0);
  r.get("ssca.smooth_p", o.smooth_p);
  // [[device]] list of tables: each entry read (and checked for unknown keys) on its own.
  if (const toml::node* list = root.get("device")) {
    if (root.contains("devices"))
      throw InputError("config '" + path + "': give either 'devices' (a preset mix) or [[device]] tables, not both");
    const toml::array* arr = list->as_array();
    if (!arr) throw InputError("config '" + path + "': device must be a list of tables ([[device]])");
    s.devices.clear();
    int i = 0;
    for (const toml::node& e : *arr) {
      const toml::table* t = e.as_table();
      if (!t) throw InputError("config '" + path + "': device[" + std::to_string(i) + "] must be a table");
      AssignDevice d;
      read_device(path, *t, i++, d);
      s.devices.push_back(d);
    }
    c.device_mix.clear();
  }
  r.reject_unknown();
}

void finalize(AssignConfig& c) {
  if (c.backend != "auto" && c.backend != "cpu" && c.backend != "cuda")
    throw InputError("backend (--backend): must be auto, cpu or cuda, got '" + c.backend + "'");
  parse_solver(c.solver);
  validate(c.solver_options);
  if (!c.device_mix.empty()) c.scenario.devices = parse_device_mix(c.device_mix, "devices (--devices)");
  validate(c.scenario);
  validate(c.ssca);
}

std::string AssignConfig::to_toml() const {
  std::ostringstream t;
  const AssignScenario& s = scenario;
  t << "command = \"assign\"\nseed = " << seed << "\nbackend = \"" << backend << "\"\nsolver = \"" << solver << "\"\n";
  t << "\n[solver_options]\ndraws = " << solver_options.draws << "\nfast_starts = " << solver_options.fast_starts
    << "\nfast_iters = " << solver_options.fast_iters << "\n";
  t << "\n[model]\nname = \"" << s.model.name << "\"\ndim = " << s.model.dim << "\nhidden = " << s.model.hidden
    << "\nlayers = " << s.model.layers << "\nheads = " << s.model.heads << "\nkv_heads = " << s.model.kv_heads
    << "\nbytes_per_param = " << s.model.bytes_per_param << "\ntokens = " << s.tokens << "\n";
  t << "\n[channel]\nn_rx = " << s.n_rx << "\nstreams = " << s.streams << "\nk_factor_db = " << exact_double(s.k_factor_db) << "\n";
  t << "\n[noise]\nnoise_density_dbm_hz = " << exact_double(s.noise_density_dbm_hz)
    << "\npath_loss_db_at_1m = " << exact_double(s.path_loss_db_at_1m)
    << "\npath_loss_exponent = " << exact_double(s.path_loss_exponent) << "\n";
  const SscaOptions& o = ssca;
  t << "\n[ssca]\niterations = " << o.iterations << "\nbatch = " << o.batch << "\nvalidation = " << o.validation
    << "\nvalidate_every = " << o.validate_every << "\nrho_scale = " << exact_double(o.rho_scale)
    << "\nrho_exp = " << exact_double(o.rho_exp) << "\ngamma_scale = " << exact_double(o.gamma_scale)
    << "\ngamma_exp = " << exact_double(o.gamma_exp) << "\ncurvature = " << exact_double(o.curvature)
    << "\nenergy_margin = " << exact_double(o.energy_margin) << "\nsmooth_p = " << exact_double(o.smooth_p) << "\n";
  if (!o.m0.empty()) {
    t << "m0 = [";
    for (size_t i = 0; i < o.m0.size(); ++i) t << (i ? ", " : "") << exact_double(o.m0[i]);
    t << "]\n";
  }
  for (const AssignDevice& d : s.devices)
    t << "\n[[device]]\n# preset: " << d.name << "\nflops = " << exact_double(d.flops)
      << "\nmemory_bytes = " << exact_double(d.memory_bytes) << "\nenergy_per_param = " << exact_double(d.energy_per_param)
      << "\nenergy_budget = " << exact_double(d.energy_budget) << "\ndistance_m = " << exact_double(d.distance_m)
      << "\npath_loss_db = " << exact_double(d.path_loss_db) << "\nn_tx = " << d.n_tx << "\n";
  return t.str();
}

}  // namespace airtp
