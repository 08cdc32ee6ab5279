/*
 * huntkit/huntkit.h -- everything a plugin author needs, in one include.
 */
#ifndef HUNTKIT_HUNTKIT_H
#define HUNTKIT_HUNTKIT_H

#include <huntkit/abi.h>
#include <huntkit/analyzer.h>
#include <huntkit/arrow.h>
#include <huntkit/buf.h>
#include <huntkit/enricher.h>
#include <huntkit/enricher_http.h>
#include <huntkit/host.h>
#include <huntkit/ioc.h>
#include <huntkit/ioc_check.h>
#include <huntkit/plugin.h>
#include <huntkit/provider.h>
#include <huntkit/renderer.h>
#include <huntkit/table.h>

#endif /* HUNTKIT_HUNTKIT_H */
