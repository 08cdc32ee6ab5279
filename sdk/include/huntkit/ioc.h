/*
 * huntkit/ioc.h -- canonical entity / IoC type names.  These are the names
 * MSTICPy uses (IoCType), so query files and results line up.
 */
#ifndef HUNTKIT_IOC_H
#define HUNTKIT_IOC_H

#define HK_IOC_IPV4 "ipv4"
#define HK_IOC_IPV6 "ipv6"
#define HK_IOC_DNS "dns"
#define HK_IOC_URL "url"
#define HK_IOC_EMAIL "email"
#define HK_IOC_MD5 "md5_hash"
#define HK_IOC_SHA1 "sha1_hash"
#define HK_IOC_SHA256 "sha256_hash"
#define HK_IOC_WINDOWS_PATH "windows_path"
#define HK_IOC_LINUX_PATH "linux_path"
#define HK_IOC_HOSTNAME "hostname"
#define HK_IOC_ACCOUNT "account"
#define HK_IOC_PROCESS "process"

#endif /* HUNTKIT_IOC_H */
