/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the self-tests share. Each selftest/NAME.c is included at the end
 * of the NAME.c it tests, when the module is built with VIPFO_DEBUG=1
 * (see Kbuild), so that it can call the static functions there; the
 * module runs them at load and refuses to load when one fails.
 */
#ifndef _VIPFO_SELFTEST_H
#define _VIPFO_SELFTEST_H

#include <linux/printk.h>
#include <linux/string.h>

/* @cond; when false, the line and the text of the check are logged. */
#define VIPFO_EXPECT(cond) ({						\
	bool __ok = !!(cond);						\
									\
	if (!__ok)							\
		pr_err("selftest/%s:%d: expected %s\n", kbasename(__FILE__),	\
		       __LINE__, #cond);				\
	__ok;								\
})

#endif /* _VIPFO_SELFTEST_H */
