/* demo.c - seed a realistic demo unit and campaign (成都市总工会, 2027年元旦春节送温暖) into an empty database. */
#include "demo.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "campaign.h"
#include "clock.h"
#include "idnumber.h"
#include "registrations.h"
#include "store.h"
#include "transports.h"

/*
 * The operation is generated, not stored: a fixed seed makes every demo database hold the same people.
 * Demand is deliberately well above the ~4,350 live seats below, as in every real campaign (a 150-seat
 * charter flight for 2,000 applicants is typical). The one 专列 alone seats 1,260, so with the ~40
 * charters a realistic unit runs, ~2,000 people would all fit; 6,000 leave about a quarter standing.
 */
#define DEMO_PEOPLE 6000
#define DEMO_SEED 0x20270206u /* 2027-02-06, Spring Festival */
#define DEMO_MAX_PARTY 6
#define DEMO_ID_SLOTS 16384 /* the id-number set stays at most half full, so probing ends quickly */
_Static_assert(DEMO_PEOPLE * 2 <= DEMO_ID_SLOTS, "grow DEMO_ID_SLOTS with DEMO_PEOPLE");
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* ---------------------------------------------------------------- deterministic random numbers */

/* splitmix64: tiny, fast and the same everywhere (rand() is neither). */
typedef struct demo_rng {
    uint64_t s;
} demo_rng;

static uint64_t rng_next(demo_rng *r)
{
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* 0..n-1; the modulo bias is far below anything a demo could show. */
static unsigned rng_below(demo_rng *r, unsigned n)
{
    return (unsigned)(rng_next(r) % n);
}

static int rng_range(demo_rng *r, int lo, int hi)
{
    return lo + (int)rng_below(r, (unsigned)(hi - lo + 1));
}

static int rng_permille(demo_rng *r, unsigned p)
{
    return rng_below(r, 1000) < p;
}

#define PICK(r, a) ((a)[rng_below((r), COUNT(a))])

/* ---------------------------------------------------------------- where people go, who employs them */

/* A home county and its share of the registrations (per mille). */
typedef struct demo_place {
    const char *code;
    unsigned weight;
    int yi; /* a Yi county of Liangshan: most people there carry Yi names */
} demo_place;

static const demo_place places[] = {
    /* 巴中: the biggest labour-export base in the demo */
    {"511923", 90, 0},
    {"511921", 60, 0},
    {"511922", 50, 0},
    {"511902", 30, 0},
    {"511903", 12, 0},
    /* 达州 */
    {"511722", 70, 0},
    {"511725", 60, 0},
    {"511724", 40, 0},
    {"511723", 15, 0},
    {"511781", 15, 0},
    /* 广安 */
    {"511621", 40, 0},
    {"511622", 30, 0},
    {"511623", 20, 0},
    /* 南充 */
    {"511324", 50, 0},
    {"511322", 40, 0},
    {"511321", 30, 0},
    {"511323", 10, 0},
    /* 广元 */
    {"510824", 30, 0},
    {"510823", 15, 0},
    {"510821", 10, 0},
    /* 凉山 */
    {"513402", 15, 0},
    {"513401", 15, 0},
    {"513431", 12, 1},
    {"513436", 8, 1},
    {"513434", 7, 1},
    /* 重庆 万州 开州 云阳 奉节 */
    {"500101", 30, 0},
    {"500154", 30, 0},
    {"500235", 25, 0},
    {"500236", 10, 0},
    /* 贵州 遵义 桐梓 习水, 毕节 威宁 织金 大方 */
    {"520322", 10, 0},
    {"520330", 10, 0},
    {"520526", 15, 0},
    {"520524", 10, 0},
    {"520521", 7, 0},
    /* 云南 昭通 镇雄 彝良 昭阳 */
    {"530627", 20, 0},
    {"530628", 8, 0},
    {"530602", 5, 0},
    /* 甘肃 陇南 武都 宕昌 礼县 */
    {"621202", 10, 0},
    {"621223", 6, 0},
    {"621226", 5, 0},
};

/* An employer (invented names): how many register through it, where it recruits, when its work stops. */
typedef struct demo_employer {
    const char *name;
    unsigned weight;
    const char *home; /* code prefix of the prefecture it recruits from most */
    int close_day;    /* day of January 2027 work stops (32 = 1 February) */
    unsigned male;    /* per mille of men among its workers */
} demo_employer;

static const demo_employer employers[] = {
    {"成都兴蓉达电子科技有限公司", 160, "5119", 21, 420},
    {"蜀川建工集团天府新区项目部", 110, "5134", 16, 930},
    {"川西路桥工程有限公司成都绕城项目部", 60, "5205", 15, 950},
    {"成都锦华精密制造有限公司", 90, "5113", 22, 600},
    {"成都龙腾汽车配件有限公司", 100, "5117", 23, 720},
    {"成都武侯锦绣鞋业有限公司", 70, "5108", 22, 380},
    {"四川川味坊食品有限公司", 70, "5116", 27, 480},
    {"成都锦程捷运物流有限公司", 80, "5117", 28, 820},
    {"成都顺达速运双流分拨中心", 60, "5001", 31, 780},
    {"成都恒通新型建材有限公司", 50, "5306", 18, 880},
    {"成都宏达家具制造有限公司", 50, "5119", 21, 700},
    {"成都金堂泰和纺织有限公司", 40, "5113", 22, 250},
    {"成都洁城环境服务有限公司", 30, "5002", 33, 560},
};

/* Pick a place by weight among those whose code starts with `prefix` ("" for all). */
static const demo_place *pick_place(demo_rng *r, const char *prefix)
{
    size_t plen = strlen(prefix);
    unsigned total = 0;
    for (size_t i = 0; i < COUNT(places); i++)
        if (strncmp(places[i].code, prefix, plen) == 0)
            total += places[i].weight;
    unsigned x = rng_below(r, total);
    for (size_t i = 0; i < COUNT(places); i++) {
        if (strncmp(places[i].code, prefix, plen) != 0)
            continue;
        if (x < places[i].weight)
            return &places[i];
        x -= places[i].weight;
    }
    return &places[0];
}

static const demo_employer *pick_employer(demo_rng *r)
{
    unsigned total = 0;
    for (size_t i = 0; i < COUNT(employers); i++)
        total += employers[i].weight;
    unsigned x = rng_below(r, total);
    size_t i = 0;
    while (x >= employers[i].weight)
        x -= employers[i++].weight;
    return &employers[i];
}

/* ---------------------------------------------------------------- names */

/* Repeated entries make the common surnames common. */
static const char *const surnames[] = {
    "王", "王", "王", "李", "李", "李", "张", "张", "张", "刘", "刘", "刘", "陈", "陈", "陈", "杨", "杨", "黄",
    "黄", "赵", "赵", "周", "周", "吴", "吴", "罗", "何", "邓", "唐", "蒋", "谢", "向", "袁", "苟", "冉", "谭",
    "蒲", "彭", "曾", "杜", "任", "徐", "孙", "胡", "朱", "郑", "马", "侯", "岳", "余", "文", "熊", "贺", "付",
};
static const char *const male_first[] = {"德", "建", "国", "志", "明", "永", "文", "光", "俊", "子", "浩", "家",
                                         "世", "正", "成", "天", "长", "小", "海", "春", "金", "宇", "泽", "一"};
static const char *const male_last[] = {"华", "军", "强", "平", "伟", "林", "勇", "兵", "辉", "明",
                                        "刚", "波", "福", "贵", "全", "杰", "鹏", "宇", "洋", "涛",
                                        "超", "亮", "斌", "峰", "东", "成", "龙", "川", "轩", "航"};
static const char *const female_first[] = {"秀", "玉", "春", "桂", "晓", "丽", "小", "美", "雪", "佳",
                                           "思", "欣", "红", "金", "海", "银", "素", "雨", "梦", "诗"};
static const char *const female_last[] = {"英", "兰", "芳", "梅", "琴", "华", "霞", "燕", "玲", "娟", "敏",
                                          "静", "艳", "萍", "莉", "婷", "琳", "慧", "凤", "蓉", "莲", "洁"};
static const char *const yi_surnames[] = {"阿苏", "吉克", "沙马", "阿的", "吉伍", "曲比",
                                          "勒格", "海来", "马海", "俄木", "吉木", "的日"};
static const char *const yi_male[] = {"拉哈", "日布", "尔古", "木呷", "子日", "石哈", "尔布", "达体", "伍沙", "拉体"};
static const char *const yi_female[] = {"阿果", "阿呷", "金花", "阿芝", "拉则", "史玛", "依作", "阿依"};

static void name_make(demo_rng *r, const char *surname, int female, int yi, char *buf, size_t n)
{
    if (yi) {
        snprintf(buf, n, "%s%s", surname, female ? PICK(r, yi_female) : PICK(r, yi_male));
        return;
    }
    const char *last = female ? PICK(r, female_last) : PICK(r, male_last);
    if (rng_permille(r, 250)) /* one-character given names */
        snprintf(buf, n, "%s%s", surname, last);
    else
        snprintf(buf, n, "%s%s%s", surname, female ? PICK(r, female_first) : PICK(r, male_first), last);
}

/* ---------------------------------------------------------------- people and parties */

typedef struct demo_person {
    char name[32];
    const char *surname;
    int year; /* of birth */
    int female;
    int member; /* position in the party, 0 = the one who registered it */
} demo_person;

typedef struct demo_party {
    const demo_employer *employer;
    const demo_place *place;
    int earliest, latest; /* days of January 2027 (32 = 1 February) */
    int size;
    int family; /* a family rather than workmates */
    int yi;
    char key[40];
    demo_person m[DEMO_MAX_PARTY];
} demo_party;

/* The generator: the random stream, the writer every registration goes through, and what it made so far. */
typedef struct demo_gen {
    demo_rng rng;
    registrations_writer *writer;
    registration_env env;
    uint64_t *ids; /* open-addressing set of hashed id numbers: no two people share one */
    size_t ids_cap;
    size_t people, parties;
} demo_gen;

/* Triangular over 1960..2005, most people born around 1982. */
static int birth_year(demo_rng *r)
{
    return 1960 + (int)(rng_below(r, 46) + rng_below(r, 46)) / 2;
}

static int clamp(int v, int lo, int hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* Sizes 1..6: half travel alone, a few whole families of six. */
static int party_size(demo_rng *r)
{
    static const unsigned cumulative[] = {450, 670, 810, 910, 960, 1000};
    unsigned x = rng_below(r, 1000);
    int s = 0;
    while (x >= cumulative[s])
        s++;
    return s + 1;
}

/* Member i of a family: a head, a spouse of the other sex, then grown children or relatives. */
static void family_member(demo_rng *r, demo_party *p, int i)
{
    demo_person *m = &p->m[i], *head = &p->m[0];
    if (i == 1) {
        m->female = !head->female;
        m->year = clamp(head->year + (head->female ? rng_range(r, -1, 5) : rng_range(r, -5, 1)), 1960, 2005);
        m->surname = p->yi ? PICK(r, yi_surnames) : PICK(r, surnames);
        return;
    }
    m->surname = head->female && p->size > 1 ? p->m[1].surname : head->surname;
    m->female = rng_permille(r, 450);
    if (head->year <= 1982)
        m->year = clamp(head->year + rng_range(r, 21, 28), 1960, 2005);
    else
        m->year = clamp(head->year + rng_range(r, -8, 8), 1960, 2005);
}

static void party_people(demo_rng *r, demo_party *p)
{
    for (int i = 0; i < p->size; i++) {
        demo_person *m = &p->m[i];
        m->member = i;
        if (i == 0 || !p->family) {
            m->female = !rng_permille(r, p->employer->male);
            m->year = birth_year(r);
            m->surname = p->yi ? PICK(r, yi_surnames) : PICK(r, surnames);
        } else {
            family_member(r, p, i);
        }
        name_make(r, m->surname, m->female, p->yi, m->name, sizeof m->name);
    }
}

/* A party shares employer, destination and window: the allocator seats it together or not at all. */
static void party_make(demo_gen *g, demo_party *p, int size)
{
    demo_rng *r = &g->rng;
    memset(p, 0, sizeof *p);
    p->employer = pick_employer(r);
    p->place = pick_place(r, rng_permille(r, 450) ? p->employer->home : "");
    p->earliest = clamp(p->employer->close_day + rng_range(r, -3, 5), 10, 34);
    p->latest = clamp(p->earliest + rng_range(r, 2, 9), p->earliest, 36);
    p->size = size;
    p->family = size > 1 && rng_permille(r, 550);
    p->yi = p->place->yi && rng_permille(r, 850);
    party_people(r, p);
    g->parties++;
    if (size > 1 && p->family)
        snprintf(p->key, sizeof p->key, "%s家-%04zu", p->m[0].surname, g->parties);
    else if (size > 1)
        snprintf(p->key, sizeof p->key, "工友-%04zu", g->parties);
}

/* ---------------------------------------------------------------- personal data */

static uint64_t id_hash(const char *id)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (const char *p = id; *p != '\0'; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    return h | 1; /* 0 marks an empty slot */
}

/* Remember `id`; 0 if it was already used. */
static int ids_add(demo_gen *g, const char *id)
{
    uint64_t h = id_hash(id);
    size_t i = (size_t)h & (g->ids_cap - 1);
    while (g->ids[i] != 0) {
        if (g->ids[i] == h)
            return 0;
        i = (i + 1) & (g->ids_cap - 1);
    }
    g->ids[i] = h;
    return 1;
}

static int days_in_month(int y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0) ? 29 : days[m - 1];
}

/* An 18-character id number: the home county (sometimes its prefecture), birth date, sequence (odd for men). */
static void id_make(demo_gen *g, const demo_place *home, const demo_person *m, char out[IDNUMBER_LEN + 1])
{
    demo_rng *r = &g->rng;
    char area[7], buf[32];
    snprintf(area, sizeof area, "%s", home->code);
    if (strncmp(area, "50", 2) != 0 && rng_permille(r, 80))
        memcpy(area + 4, "00", 2);
    int month = rng_range(r, 1, 12);
    int day = rng_range(r, 1, days_in_month(m->year, month));
    do {
        int seq = rng_range(r, 0, 499) * 2 + (m->female ? 0 : 1);
        snprintf(buf, sizeof buf, "%s%04d%02d%02d%03d", area, m->year, month, day, seq);
        buf[17] = idnumber_check_char(buf);
        buf[18] = '\0';
    } while (!ids_add(g, buf));
    memcpy(out, buf, IDNUMBER_LEN + 1);
}

static void phone_make(demo_rng *r, char *buf, size_t n)
{
    static const char *const prefixes[] = {"133", "135", "136", "137", "138", "139", "150", "151", "152",
                                           "157", "158", "159", "177", "180", "181", "182", "183", "187",
                                           "188", "189", "191", "198", "199", "166", "173", "175", "176",
                                           "178", "130", "131", "132", "155", "156", "185", "186", "153"};
    if (rng_permille(r, 20)) { /* older people often give no phone of their own */
        buf[0] = '\0';
        return;
    }
    snprintf(buf, n, "%s%04u%04u", PICK(r, prefixes), rng_below(r, 10000), rng_below(r, 10000));
}

/* 困难职工 about 8%, 劳模 2%, and a few 孕妇, 老人 (60 or older) and 残疾. */
static void tags_make(demo_rng *r, const demo_person *m, char *buf, size_t n)
{
    int age = 2027 - m->year;
    size_t used = 0;
    buf[0] = '\0';
    if (rng_permille(r, 80))
        used += (size_t)snprintf(buf + used, n - used, "%s困难职工", used ? ";" : "");
    if (rng_permille(r, 20))
        used += (size_t)snprintf(buf + used, n - used, "%s劳模", used ? ";" : "");
    if (m->female && age >= 22 && age <= 38 && rng_permille(r, 30))
        used += (size_t)snprintf(buf + used, n - used, "%s孕妇", used ? ";" : "");
    if (age >= 60 && rng_permille(r, 500))
        used += (size_t)snprintf(buf + used, n - used, "%s老人", used ? ";" : "");
    if (rng_permille(r, 6))
        snprintf(buf + used, n - used, "%s残疾", used ? ";" : "");
}

/* Day d of January 2027 (32 = 1 February) as YYYY-MM-DD. */
static void day_format(int d, char *buf, size_t n)
{
    snprintf(buf, n, "2027-%02d-%02d", d <= 31 ? 1 : 2, d <= 31 ? d : d - 31);
}

/* ---------------------------------------------------------------- validated inserts */

/* Prefix the failing record and column to err's message; returns rc. */
static int demo_invalid(hw_error *err, int rc, const char *what, size_t n, const char *column)
{
    char msg[sizeof err->message];
    if (err == NULL)
        return rc;
    snprintf(msg, sizeof msg, "演示数据无效 (invalid demo data): %s %zu, %s: %.400s", what, n, column, err->message);
    memcpy(err->message, msg, sizeof msg);
    err->rc = rc;
    return rc;
}

/* Parse text fields (NULL = column absent) exactly as an import would, then check the record. */
static int registration_from_text(registration *r, const char *const text[REG_NFIELDS], const registration_env *env,
                                  size_t n, hw_error *err)
{
    registration_init(r);
    for (int f = 0; f < REG_NFIELDS; f++) {
        int rc = text[f] != NULL ? registration_set(r, (reg_field)f, text[f], env, err) : 0;
        if (rc != 0)
            return demo_invalid(err, rc, "registration", n, registration_fields[f].zh);
    }
    reg_field bad = REG_NAME;
    int rc = registration_check(r, env, &bad, err);
    return rc != 0 ? demo_invalid(err, rc, "registration", n, registration_fields[bad].zh) : 0;
}

/* Migrants register themselves; an older relative travelling with family is often a dependant (家属). */
static const char *migrant_text(demo_rng *r, const demo_party *p, const demo_person *m)
{
    if (!p->family || m->member == 0)
        return "是";
    if (2027 - m->year >= 60)
        return rng_permille(r, 500) ? "否" : "是";
    return rng_permille(r, 50) ? "否" : "是";
}

static int person_write(demo_gen *g, const demo_party *p, const demo_person *m, hw_error *err)
{
    demo_rng *r = &g->rng;
    char ref[16] = "", id[IDNUMBER_LEN + 1], phone[16], tags[64], earliest[24], latest[24];
    size_t n = ++g->people;
    if (rng_permille(r, 750)) /* refs from the online form; the rest came in on employers' lists */
        snprintf(ref, sizeof ref, "CDZ-%06zu", n);
    id_make(g, p->place, m, id);
    phone_make(r, phone, sizeof phone);
    tags_make(r, m, tags, sizeof tags);
    day_format(p->earliest, earliest, sizeof earliest);
    day_format(p->latest, latest, sizeof latest);
    const char *text[REG_NFIELDS] = {
        [REG_REF] = ref,
        [REG_NAME] = m->name,
        [REG_ID_NUMBER] = id,
        [REG_PHONE] = phone,
        [REG_EMPLOYER] = p->employer->name,
        [REG_DESTINATION] = p->place->code,
        [REG_EARLIEST] = earliest,
        [REG_LATEST] = latest,
        [REG_PARTY] = p->key,
        [REG_TAGS] = tags,
        [REG_MIGRANT] = migrant_text(r, p, m),
    };
    registration reg;
    int64_t conflict = 0;
    int rc = registration_from_text(&reg, text, &g->env, n, err);
    if (rc == 0 && (rc = registrations_writer_add(g->writer, &reg, NULL, &conflict, err)) != 0)
        return demo_invalid(err, rc, "registration", n, "insert");
    return rc;
}

static int registrations_seed(demo_gen *g, hw_error *err)
{
    demo_party p;
    int rc = 0;
    while (rc == 0 && g->people < DEMO_PEOPLE) {
        int size = party_size(&g->rng);
        party_make(g, &p, size < (int)(DEMO_PEOPLE - g->people) ? size : (int)(DEMO_PEOPLE - g->people));
        for (int i = 0; rc == 0 && i < p.size; i++)
            rc = person_write(g, &p, &p.m[i], err);
    }
    return rc;
}

/* Open the writer and the id set around registrations_seed(). */
static int registrations_run(sqlite3 *db, const demo_request *req, const campaign_info *c, int64_t campaign_id,
                             size_t *count, hw_error *err)
{
    demo_gen g = {.rng = {DEMO_SEED}, .ids_cap = DEMO_ID_SLOTS};
    g.env = (registration_env){.divisions = req->divisions, .campaign = c, .today = clock_today()};
    if ((g.ids = calloc(g.ids_cap, sizeof *g.ids)) == NULL)
        return error_set(err, HW_ENOMEM, "out_of_memory", "内存不足 (out of memory)");
    int rc = registrations_writer_open(db, req->vault, campaign_id, &g.writer, err);
    if (rc == 0)
        rc = registrations_seed(&g, err);
    registrations_writer_close(g.writer);
    free(g.ids);
    *count = g.people;
    return rc;
}

/* ---------------------------------------------------------------- transports */

/*
 * The charters, in the columns of a transports CSV. About 4,400 seats: one 专列 (南充, 巴中), hard-seat
 * carriages on scheduled K/T trains, coaches from factory gates and 城北客运中心 (点对点 to the county),
 * charter flights from 双流, and Yangtze boats from 朝天门 down to 万州, 云阳 and 奉节.
 */
static const char *const transport_rows[][TR_NFIELDS] = {
    {"ZL-01", "专列", "K8641", "1260", "2027-01-25 10:18", "成都东站", "南充市;巴中市", "356000", "confirmed"},
    {"CX-01", "火车车厢", "K1152次 9号车厢", "118", "2027-01-19 08:42", "成都东站", "达州市", "8600", "confirmed"},
    {"CX-02", "火车车厢", "K1152次 10号车厢", "118", "2027-01-27 08:42", "成都东站", "达州市;万州区", "10400",
     "planned"},
    {"CX-03", "火车车厢", "K2096次 7号车厢", "118", "2027-01-22 21:15", "成都北站", "广元市;陇南市", "11800",
     "confirmed"},
    {"CX-04", "火车车厢", "K9433次 5号车厢", "118", "2027-01-23 19:40", "成都北站", "凉山彝族自治州", "12300",
     "confirmed"},
    {"CX-05", "火车车厢", "T8866次 12号车厢", "118", "2027-01-28 07:55", "成都东站", "重庆市;遵义市", "14200",
     "planned"},
    {"CX-06", "火车车厢", "K1596次 8号车厢", "118", "2027-01-26 14:20", "成都北站", "昭通市", "13600", "planned"},
    {"QC-01", "汽车", "川A·6K213", "55", "2027-01-13 07:00", "川西路桥绕城项目部", "520526", "9800", "confirmed"},
    {"QC-02", "汽车", "川A·3D875", "55", "2027-01-15 06:30", "蜀川建工天府新区项目部", "昭觉县;美姑县", "8600",
     "confirmed"},
    {"QC-03", "汽车", "川A·52R19", "49", "2027-01-16 07:00", "蜀川建工天府新区项目部", "平昌县", "6200", "confirmed"},
    {"QC-04", "汽车", "川A·8H062", "53", "2027-01-17 07:00", "恒通建材金堂厂区", "镇雄县", "9400", "confirmed"},
    {"QC-05", "汽车", "川A·7M330", "45", "2027-01-18 07:00", "城北客运中心", "南江县", "6400", "confirmed"},
    {"QC-06", "汽车", "川A·2F659", "55", "2027-01-20 06:30", "兴蓉达电子高新西区厂区", "平昌县", "6200", "confirmed"},
    {"QC-07", "汽车", "川A·9C401", "55", "2027-01-20 06:45", "兴蓉达电子高新西区厂区", "通江县", "6800", "confirmed"},
    {"QC-08", "汽车", "川A·1T772", "49", "2027-01-21 07:00", "锦华精密郫都厂区", "仪陇县", "5600", "confirmed"},
    {"QC-09", "汽车", "川A·4B538", "49", "2027-01-21 07:30", "锦华精密郫都厂区", "营山县", "5400", "confirmed"},
    {"QC-10", "汽车", "川A·6N284", "55", "2027-01-22 07:00", "龙腾汽车配件龙泉驿厂区", "宣汉县", "7200", "confirmed"},
    {"QC-11", "汽车", "川A·3Q917", "55", "2027-01-22 07:20", "龙腾汽车配件龙泉驿厂区", "渠县", "6600", "confirmed"},
    {"QC-12", "汽车", "川A·5W046", "49", "2027-01-23 07:00", "锦绣鞋业武侯工业园", "苍溪县", "5800", "planned"},
    {"QC-13", "汽车", "川A·8G153", "45", "2027-01-23 07:00", "城北客运中心", "恩阳区;巴州区", "6000", "planned"},
    {"QC-14", "汽车", "川A·2P690", "55", "2027-01-24 07:00", "兴蓉达电子高新西区厂区", "南江县", "6800", "planned"},
    {"QC-15", "汽车", "川A·7E425", "49", "2027-01-24 07:30", "城北客运中心", "大竹县", "5900", "planned"},
    {"QC-16", "汽车", "川A·4J861", "49", "2027-01-25 07:00", "川味坊食品新津厂区", "武胜县;岳池县", "4800", "planned"},
    {"QC-17", "汽车", "川A·9U308", "55", "2027-01-26 07:00", "城北客运中心", "平昌县", "6200", "planned"},
    {"QC-18", "汽车", "川A·1L594", "49", "2027-01-26 07:30", "城北客运中心", "仪陇县", "5600", "planned"},
    {"QC-19", "汽车", "川A·6V127", "55", "2027-01-27 06:30", "锦程捷运青白江园区", "宣汉县", "7000", "planned"},
    {"QC-20", "汽车", "川A·3Y750", "49", "2027-01-27 07:00", "城北客运中心", "开州区", "8200", "planned"},
    {"QC-21", "汽车", "川A·5A983", "45", "2027-01-28 07:00", "城北客运中心", "南部县", "5000", "planned"},
    {"QC-22", "汽车", "川A·8S216", "55", "2027-01-28 07:30", "锦程捷运青白江园区", "渠县", "6600", "planned"},
    {"QC-23", "汽车", "川A·2X349", "49", "2027-01-29 07:00", "城北客运中心", "通江县", "6800", "planned"},
    {"QC-24", "汽车", "川A·7R582", "49", "2027-01-29 07:30", "城北客运中心", "邻水县;大竹县", "6000", "planned"},
    {"QC-25", "汽车", "川A·4Z715", "53", "2027-01-30 07:00", "城北客运中心", "平昌县", "6200", "planned"},
    {"QC-26", "汽车", "川A·9K836", "45", "2027-01-30 07:30", "城北客运中心", "岳池县", "4600", "planned"},
    {"QC-27", "汽车", "川A·6C071", "49", "2027-02-03 07:00", "顺达速运双流分拨中心", "开州区;万州区", "8800",
     "planned"},
    {"QC-28", "汽车", "川A·3H494", "49", "2027-01-19 07:00", "锦华精密郫都厂区", "巴中市平昌县", "6200", "cancelled"},
    {"BJ-01", "包机", "3U8621", "180", "2027-01-24 10:35", "双流机场", "毕节市", "126000", "confirmed"},
    {"BJ-02", "包机", "CA4471", "158", "2027-01-26 13:50", "双流机场", "昭通市", "118000", "planned"},
    {"BJ-03", "包机", "3U8897", "186", "2027-01-30 09:20", "双流机场", "凉山彝族自治州", "98000", "planned"},
    {"CB-01", "船", "渝江9号", "260", "2027-01-21 08:00", "重庆朝天门码头", "万州区;云阳县;奉节县", "26000",
     "confirmed"},
    {"CB-02", "船", "渝江12号", "220", "2027-01-29 08:00", "重庆朝天门码头", "万州区;云阳县", "22000", "planned"},
};

static int transport_from_text(transport *t, const char *const text[TR_NFIELDS], const divisions *d, size_t n,
                               hw_error *err)
{
    transport_init(t);
    for (int f = 0; f < TR_NFIELDS; f++) {
        int rc = transport_set(t, (tr_field)f, text[f], d, err);
        if (rc != 0)
            return demo_invalid(err, rc, "transport", n, transport_fields[f].zh);
    }
    tr_field bad = TR_REF;
    int rc = transport_check(t, &bad, err);
    return rc != 0 ? demo_invalid(err, rc, "transport", n, transport_fields[bad].zh) : 0;
}

static int transports_seed(sqlite3 *db, const divisions *d, int64_t campaign_id, hw_error *err)
{
    for (size_t i = 0; i < COUNT(transport_rows); i++) {
        transport t;
        int rc = transport_from_text(&t, transport_rows[i], d, i + 1, err);
        if (rc == 0 && (rc = transports_insert(db, campaign_id, &t, NULL, err)) != 0)
            return demo_invalid(err, rc, "transport", i + 1, "insert");
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* ---------------------------------------------------------------- the seed */

static int has_unit(sqlite3 *db, bool *yes, hw_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, "SELECT count(*) FROM unit", -1, &st, NULL);
    if (rc != SQLITE_OK)
        return store_error(db, rc, "demo", err);
    rc = sqlite3_step(st);
    *yes = rc == SQLITE_ROW && sqlite3_column_int(st, 0) > 0;
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 0 : store_error(db, rc, "demo", err);
}

/* The charters and the people; the unit and campaign exist already. */
static int operation_seed(sqlite3 *db, demo_request *out, const campaign_info *c, hw_error *err)
{
    int64_t campaign_id = 0;
    int rc = campaign_current_id(db, &campaign_id, err);
    if (rc == 0)
        rc = transports_seed(db, out->divisions, campaign_id, err);
    if (rc == 0)
        out->transports = COUNT(transport_rows);
    if (rc == 0)
        rc = registrations_run(db, out, c, campaign_id, &out->registrations, err);
    if (rc != 0) /* the job's savepoint rolls all of it back */
        out->registrations = out->transports = 0;
    return rc;
}

int demo_seed(sqlite3 *db, void *arg, hw_error *err)
{
    demo_request *out = arg;
    bool exists = false;
    out->created = false;
    out->registrations = out->transports = 0;
    int rc = has_unit(db, &exists, err);
    if (rc != 0 || exists)
        return rc;
    campaign_info c = {.unit_code = "510100",
                       .unit_name = "成都市总工会",
                       .name = "2027年元旦春节送温暖",
                       .from = "2026-12-22",
                       .to = "2027-02-16",
                       .deadline = "2027-01-12",
                       .reporter = "保障工作部",
                       .reporter_phone = "028-00000000"};
    if ((rc = campaign_save(db, &c, err)) != 0)
        return rc;
    auth_new_user admin = {.name = "demo-admin", .role = AUTH_ROLE_ADMIN};
    auth_token_new(out->admin_token, admin.hash);
    if ((rc = auth_user_insert(db, &admin, err)) != 0)
        return rc;
    if ((rc = operation_seed(db, out, &c, err)) != 0)
        return rc;
    out->created = true;
    return 0;
}
