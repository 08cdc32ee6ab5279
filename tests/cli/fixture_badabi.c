/*
 * tests/cli/fixture_badabi.c -- a plugin built for a future ABI major:
 * the loader must refuse it, and `huntkit plugins check` must say why.
 */
#include <huntkit/huntkit.h>

static int
badabi_render(void *state, const hk_config *options,
              struct ArrowArrayStream *input, const hk_sink *sink,
              hk_error *err)
{
  (void)state, (void)options, (void)sink, (void)err;
  input->release(input);
  return HK_OK;
}

static const hk_renderer_vt badabi_vt = {
    .struct_size = sizeof(hk_renderer_vt),
    .media_type = "text/plain",
    .render = badabi_render,
};

static const hk_plugin_desc badabi_desc = {
    .struct_size = sizeof(hk_plugin_desc),
    .abi_major = HK_ABI_MAJOR + 1,
    .abi_minor = 0,
    .name = "badabi",
    .version = "0.0.1",
    .kind = HK_KIND_RENDERER,
    .summary = "test fixture: built for a newer ABI major",
    .vtable = &badabi_vt,
};

static const hk_plugin_desc *const badabi_descs[] = {&badabi_desc, NULL};

static const hk_plugin_desc *const *
badabi_entry(const hk_host *host, hk_error *err)
{
  (void)host, (void)err;
  return badabi_descs;
}

HK_PLUGIN_DEFINE(fixture_badabi, badabi_entry)
