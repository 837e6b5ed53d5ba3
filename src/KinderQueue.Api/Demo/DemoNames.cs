namespace KinderQueue.Api.Demo;

/// <summary>
/// The word lists the demo region is drawn from. People are random combinations of common
/// surnames, first names and patronymics, never a real person's record; phone numbers use the
/// unallocated code 000 and e-mail addresses the reserved example.org domain, so none reaches anyone.
/// </summary>
internal static class DemoNames
{
    /// <summary>Districts with their neighbours (for catchments that cross a border and for preferences) and their share of the region, in percent.</summary>
    public static readonly (string Id, string Name, string[] Neighbours, int Share)[] Districts =
    [
        ("centralny", "Центральный", ["leninsky", "oktyabrsky", "zarechny"], 20),
        ("leninsky", "Ленинский", ["centralny", "severny"], 18),
        ("zarechny", "Заречный", ["centralny", "promyshlenny"], 17),
        ("severny", "Северный", ["leninsky", "oktyabrsky"], 16),
        ("oktyabrsky", "Октябрьский", ["centralny", "severny", "promyshlenny"], 15),
        ("promyshlenny", "Промышленный", ["zarechny", "oktyabrsky"], 14),
    ];

    public static readonly string[] Kindergartens =
    [
        "Солнышко", "Ромашка", "Берёзка", "Колокольчик", "Радуга", "Теремок", "Сказка", "Золотой ключик", "Улыбка", "Ласточка",
        "Звёздочка", "Рябинка", "Аленький цветочек", "Журавлик", "Капелька", "Светлячок", "Незабудка", "Родничок", "Буратино", "Чебурашка",
        "Дюймовочка", "Калинка", "Василёк", "Одуванчик", "Ягодка", "Белочка", "Медвежонок", "Семицветик", "Жемчужинка", "Лучик",
        "Золотая рыбка", "Кораблик", "Непоседы", "Ручеёк", "Снегурочка", "Огонёк", "Росинка", "Малинка", "Синичка", "Петушок",
        "Гнёздышко", "Ладушки", "Антошка", "Полянка", "Алёнушка", "Золушка", "Голубок", "Ивушка", "Соловушка", "Кроха",
    ];

    /// <summary>Masculine forms; <see cref="Surname"/> makes the feminine one.</summary>
    private static readonly string[] Surnames =
    [
        "Иванов", "Смирнов", "Кузнецов", "Попов", "Васильев", "Петров", "Соколов", "Михайлов", "Новиков", "Фёдоров",
        "Морозов", "Волков", "Алексеев", "Лебедев", "Семёнов", "Егоров", "Павлов", "Козлов", "Степанов", "Николаев",
        "Орлов", "Андреев", "Макаров", "Никитин", "Захаров", "Зайцев", "Соловьёв", "Борисов", "Яковлев", "Григорьев",
        "Романов", "Воробьёв", "Сергеев", "Кузьмин", "Фролов", "Александров", "Дмитриев", "Королёв", "Гусев", "Киселёв",
        "Ильин", "Максимов", "Поляков", "Сорокин", "Виноградов", "Ковалёв", "Белов", "Медведев", "Антонов", "Тарасов",
        "Жуков", "Баранов", "Филиппов", "Комаров", "Давыдов", "Беляев", "Герасимов", "Богданов", "Осипов", "Сидоров",
        "Матвеев", "Титов", "Марков", "Миронов", "Крылов", "Куликов", "Карпов", "Власов", "Мельников", "Денисов",
        "Гаврилов", "Тихонов", "Казаков", "Афанасьев", "Данилов", "Савельев", "Тимофеев", "Фомин", "Чернов", "Абрамов",
        "Мартынов", "Ефимов", "Федотов", "Щербаков", "Назаров", "Калинин", "Исаев", "Быков", "Маслов", "Родионов",
        "Коновалов", "Лазарев", "Воронин", "Климов", "Филатов", "Голубев", "Кудрявцев", "Прохоров", "Наумов", "Потапов",
        "Островский", "Вишневский", "Покровский", "Шевченко", "Ковальчук", "Бондаренко", "Кравченко", "Руденко",
    ];

    private static readonly string[] Boys =
    [
        "Александр", "Михаил", "Максим", "Артём", "Матвей", "Иван", "Дмитрий", "Лев", "Марк", "Тимофей", "Кирилл", "Егор",
        "Роман", "Фёдор", "Андрей", "Даниил", "Илья", "Алексей", "Никита", "Владимир", "Сергей", "Арсений", "Ярослав",
        "Степан", "Глеб", "Мирон", "Платон", "Савва", "Тихон", "Демид", "Всеволод", "Макар", "Георгий", "Николай", "Захар",
    ];

    private static readonly string[] Girls =
    [
        "София", "Анна", "Мария", "Ева", "Виктория", "Алиса", "Полина", "Варвара", "Василиса", "Александра", "Вероника",
        "Екатерина", "Анастасия", "Дарья", "Ксения", "Милана", "Елизавета", "Арина", "Ульяна", "Таисия", "Кира", "Агата",
        "Злата", "Мирослава", "Есения", "Валерия", "Маргарита", "Надежда", "Олеся", "Яна", "Стефания", "Диана",
    ];

    private static readonly string[] Women =
    [
        "Анна", "Мария", "Елена", "Ольга", "Татьяна", "Наталья", "Екатерина", "Ирина", "Светлана", "Юлия", "Анастасия",
        "Дарья", "Ксения", "Марина", "Алёна", "Виктория", "Кристина", "Евгения", "Надежда", "Валерия", "Людмила",
        "Оксана", "Алина", "Полина", "Вера",
    ];

    /// <summary>Men's names with the patronymic they give a son and a daughter.</summary>
    private static readonly (string Name, string Son, string Daughter)[] Men =
    [
        ("Александр", "Александрович", "Александровна"), ("Алексей", "Алексеевич", "Алексеевна"),
        ("Андрей", "Андреевич", "Андреевна"), ("Дмитрий", "Дмитриевич", "Дмитриевна"),
        ("Сергей", "Сергеевич", "Сергеевна"), ("Иван", "Иванович", "Ивановна"),
        ("Михаил", "Михайлович", "Михайловна"), ("Николай", "Николаевич", "Николаевна"),
        ("Павел", "Павлович", "Павловна"), ("Евгений", "Евгеньевич", "Евгеньевна"),
        ("Игорь", "Игоревич", "Игоревна"), ("Олег", "Олегович", "Олеговна"),
        ("Роман", "Романович", "Романовна"), ("Максим", "Максимович", "Максимовна"),
        ("Артём", "Артёмович", "Артёмовна"), ("Денис", "Денисович", "Денисовна"),
        ("Константин", "Константинович", "Константиновна"), ("Владимир", "Владимирович", "Владимировна"),
        ("Антон", "Антонович", "Антоновна"), ("Вадим", "Вадимович", "Вадимовна"),
        ("Илья", "Ильич", "Ильинична"), ("Кирилл", "Кириллович", "Кирилловна"),
        ("Юрий", "Юрьевич", "Юрьевна"), ("Виктор", "Викторович", "Викторовна"),
        ("Никита", "Никитич", "Никитична"),
    ];

    /// <summary>A child and the parent who applies (the mother more often than the father), as one family would be named.</summary>
    public static (string Child, string Parent) Family(SplitMix64 rng)
    {
        var surname = rng.Pick(Surnames);
        var father = rng.Pick(Men);
        var girl = rng.Below(2) == 0;
        var child = girl
            ? $"{Surname(surname, female: true)} {rng.Pick(Girls)} {father.Daughter}"
            : $"{surname} {rng.Pick(Boys)} {father.Son}";
        var grandfather = rng.Pick(Men);
        var parent = rng.Chance(8_500)
            ? $"{Surname(surname, female: true)} {rng.Pick(Women)} {grandfather.Daughter}"
            : $"{surname} {father.Name} {grandfather.Son}";
        return (child, parent);
    }

    private static string Surname(string masculine, bool female)
    {
        if (!female) return masculine;
        if (masculine.EndsWith("ский", StringComparison.Ordinal)) return masculine[..^2] + "ая";
        if (masculine.EndsWith("ов", StringComparison.Ordinal) || masculine.EndsWith("ёв", StringComparison.Ordinal)
            || masculine.EndsWith("ев", StringComparison.Ordinal) || masculine.EndsWith("ин", StringComparison.Ordinal)) return masculine + "а";
        return masculine; // -енко, -ук: the same for women
    }

    /// <summary>A phone number no one has: the code 000 is not allocated in the Russian numbering plan.</summary>
    public static string Phone(SplitMix64 rng) => $"+7 000 {rng.Between(100, 999)}-{rng.Between(10, 99)}-{rng.Between(10, 99)}";

    /// <summary>Document references as a department would note them, marked as demo data.</summary>
    public static string Documents(string category, SplitMix64 rng, NodaTime.LocalDate issued)
    {
        var no = rng.Between(1000, 99999);
        var date = $"{issued.Day:D2}.{issued.Month:D2}.{issued.Year}";
        return category switch
        {
            "judge" or "prosecutor" or "investigator" or "serviceman" or "police" or "penitentiary-fire-customs"
                => $"Справка с места службы № ДЕМО-{no} от {date}",
            "fallen-serviceman" => $"Извещение военного комиссариата № ДЕМО-{no} от {date}",
            "chernobyl" => $"Удостоверение пострадавшего № ДЕМО-{no}",
            "disability" => $"Справка МСЭ № ДЕМО-{no} от {date}",
            "large-family" => $"Удостоверение многодетной семьи № ДЕМО-{no}",
            "sibling" => $"Справка детского сада о посещении братом (сестрой) № ДЕМО-{no} от {date}",
            _ => $"Документ № ДЕМО-{no} от {date}",
        };
    }

    // Codes of the published lists (algorithm-spec/criteria/default.json "reasons"): the public log
    // carries no text a person typed (SPEC.md §4.6). Each list keeps the length it had as text, so
    // the demo draws the same random numbers and fills the same region.
    public static readonly string[] VerifiedReasons = ["document-confirmed", "registry-confirmed"];

    public static string RejectedReason(string category, SplitMix64 rng) => category == "sibling"
        ? "sibling-not-attending"
        : rng.Pick(RejectedReasons);

    private static readonly string[] RejectedReasons = ["document-expired", "not-eligible", "document-missing"];

    public static readonly string[] WithdrawalReasons = ["moved-away", "private-kindergarten", "parent-request"];
}
