// SPDX-License-Identifier: GPL-2.0
/*
 * A message under construction: its attributes as a tree of nodes,
 * serialized by emit().
 */

#include "nl_fuzz.h"

struct tree T;

int node_new(bool nest, uint16_t type, const void *p, int len)
{
	struct node *n;

	if (T.nn >= NODES_MAX || T.dlen + len > sizeof(T.data)) {
		T.full = true;
		return -1;
	}
	n = &T.n[T.nn];
	n->type = type;
	n->nest = nest;
	n->len = len;
	n->off = T.dlen;
	n->kid = n->next = -1;
	if (len) {
		if (p)
			memcpy(T.data + T.dlen, p, len);
		else
			memset(T.data + T.dlen, 0, len);
		T.dlen += len;
	}
	return T.nn++;
}

uint8_t *payload(int i)
{
	return T.data + T.n[i].off;
}

/* Append node k to the children of parent (-1: top level). */
void append(int parent, int k)
{
	int *p;

	if (k < 0)
		return;
	p = parent < 0 ? &T.top : &T.n[parent].kid;
	while (*p >= 0)
		p = &T.n[*p].next;
	*p = k;
}

int leaf(int parent, uint16_t type, const void *p, int len)
{
	int k = node_new(false, type, p, len);

	append(parent, k);
	return k;
}

int leaf_u32(int parent, uint16_t type, uint32_t v)
{
	return leaf(parent, type, &v, 4);
}

int leaf_u16(int parent, uint16_t type, uint16_t v)
{
	return leaf(parent, type, &v, 2);
}

int nest(int parent, uint16_t type)
{
	int k = node_new(true, type | NLA_F_NESTED, NULL, 0);

	append(parent, k);
	return k;
}

struct ref refs[NODES_MAX];
int nrefs;

static void collect(int *link, int parent, int depth)
{
	while (*link >= 0 && nrefs < NODES_MAX) {
		int k = *link;

		refs[nrefs++] = (struct ref){ k, parent, link, depth };
		if (T.n[k].nest)
			collect(&T.n[k].kid, k, depth + 1);
		link = &T.n[k].next;
	}
}

void refs_build(void)
{
	nrefs = 0;
	collect(&T.top, -1, 0);
}

int copy_subtree(int k)
{
	int c, kid, prev = -1;

	c = node_new(T.n[k].nest, T.n[k].type, payload(k), T.n[k].len);
	if (c < 0)
		return -1;
	for (kid = T.n[k].kid; kid >= 0; kid = T.n[kid].next) {
		int ck = copy_subtree(kid);

		if (ck < 0)
			break;
		if (prev < 0)
			T.n[c].kid = ck;
		else
			T.n[prev].next = ck;
		prev = ck;
	}
	return c;
}

/* Serialize node k and its siblings if all, false if it did not fit. */
bool emit(int k, uint8_t *buf, size_t *pos, size_t max, bool all)
{
	for (; k >= 0; k = all ? T.n[k].next : -1) {
		struct nlattr *a = (struct nlattr *)(buf + *pos);
		size_t start = *pos;

		if (*pos + NLA_HDRLEN > max)
			return false;
		*pos += NLA_HDRLEN;
		if (T.n[k].nest) {
			if (!emit(T.n[k].kid, buf, pos, max, true))
				return false;
		} else {
			size_t al = NLA_ALIGN(T.n[k].len);

			if (*pos + al > max)
				return false;
			memcpy(buf + *pos, payload(k), T.n[k].len);
			memset(buf + *pos + T.n[k].len, 0, al - T.n[k].len);
			*pos += T.n[k].len;
			a->nla_len = *pos - start;	/* may wrap: that is fuzz */
			*pos = start + NLA_HDRLEN + al;
			a->nla_type = T.n[k].type;
			continue;
		}
		a->nla_len = *pos - start;
		a->nla_type = T.n[k].type;
	}
	return true;
}
