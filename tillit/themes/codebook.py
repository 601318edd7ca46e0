"""The shipped codebook: the usual themes of comments in Nordic public-sector staff surveys.

The seven trust principles (Tillitsdelegationen: brukarfokus, helhetssyn, delegering, stöd,
tillit, öppenhet, kunskap), the HME areas (motivation, ledning, styrning), and what the
comments are mostly about in practice (workload, bøvl/documentation, IT systems, premises).
Each theme has a name and a few cue words per language; words are stemmed as comments are,
and a cue of four letters or more also matches inside a compound ("journalsystemet" holds
"system"). An organisation keeps its own copy, renamed and merged (`models.CodebookTheme`).
"""

from __future__ import annotations

CODEBOOK: dict[str, dict] = {
    "workload": {
        "labels": {
            "sv": "Arbetsbelastning",
            "da": "Arbejdspres",
            "nb": "Arbeidsbelastning",
            "en": "Workload",
        },
        "terms": {
            "sv": "arbetsbelastning belastning stress stressig stressad hinner hinna tid tidsbrist "
            "tidspress press övertid sjukskrivning sjukskrivningar vikarie vikarier bemanning "
            "underbemannad underbemanning personalbrist kort ork orkar utbrändhet utbränd "
            "arbetsmängd arbetsuppgifter uppgifter raster rast lunch hektiskt springa "
            "sjukfrånvaro mycket pressad ärendemängd ärenden kö köer semester schema scheman "
            "extrapass pass timmar slitsamt tungt trött",
            "da": "arbejdspres pres stress stresset travlt travl når tid tidspres tidsnød "
            "overarbejde sygemelding sygemeldinger sygefravær vikar vikarer bemanding "
            "underbemandet normering personalemangel kort orker udbrændt udbrændthed "
            "arbejdsmængde opgaver pauser pause frokost hektisk løbe mængde sager sagsbunke "
            "sagsmængde ventelister ferie vagtplan vagter ekstravagter timer slidsomt tungt "
            "træt nedslidt",
            "nb": "arbeidsbelastning belastning press stress stresset travelt travel rekker tid "
            "tidspress overtid sykemelding sykemeldinger sykefravær vikar vikarer bemanning "
            "underbemannet bemanningen kort orker utbrent arbeidsmengde oppgaver pauser pause "
            "lunsj hektisk løpe saksmengde saker ventelister ferie turnus vakter ekstravakter "
            "timer slitsomt tungt sliten",
            "en": "workload load stress stressed busy time pressure overtime sick leave absence "
            "temps temp staffing understaffed shortage short exhausted burnout burn tasks "
            "breaks break lunch hectic rush caseload cases backlog queue shifts shift hours "
            "tired overload overloaded capacity deadlines",
        },
    },
    "leadership": {
        "labels": {
            "sv": "Ledarskap",
            "da": "Ledelse",
            "nb": "Ledelse",
            "en": "Leadership",
        },
        "terms": {
            "sv": "chef chefen chefer chefens ledare ledaren ledarskap ledning ledningen "
            "ledningsgrupp närmaste enhetschef avdelningschef rektor förvaltningschef "
            "lyssnar lyssna feedback återkoppling beröm synlig tillgänglig närvarande "
            "medarbetarsamtal lönesamtal uppskattning uppskattad sedd bekräftelse",
            "da": "chef chefen chefer chefens leder lederen ledere ledelse ledelsen "
            "ledergruppe nærmeste afdelingsleder institutionsleder skoleleder direktør "
            "lytter lytte feedback tilbagemelding ros synlig tilgængelig nærværende "
            "medarbejdersamtale mus lønsamtale anerkendelse anerkendt set",
            "nb": "sjef sjefen sjefer sjefens leder lederen ledere ledelse ledelsen "
            "ledergruppe nærmeste avdelingsleder enhetsleder rektor direktør lytter lytte "
            "tilbakemelding tilbakemeldinger ros synlig tilgjengelig medarbeidersamtale "
            "lønnssamtale anerkjennelse anerkjent sett",
            "en": "manager managers management leader leaders leadership boss supervisor head "
            "director listens listen feedback praise visible available appraisal "
            "recognition recognised appreciated seen",
        },
    },
    "documentation": {
        "labels": {
            "sv": "Dokumentation och regelkrångel",
            "da": "Dokumentation og bøvl",
            "nb": "Dokumentasjon og byråkrati",
            "en": "Documentation and red tape",
        },
        "terms": {
            "sv": "dokumentation dokumentera dokumenterar dokumenteras journal journalföring "
            "blankett blanketter formulär rapportera rapportering rapporter redovisa "
            "redovisning uppföljning uppföljningar kontroll kontroller byråkrati regelkrångel "
            "krångel krånglig pappersarbete administration administrativ administrativt "
            "underskrift underskrifter attest attestera registrera registrering statistik "
            "mallar mall dubbelarbete",
            "da": "dokumentation dokumentere dokumenterer journal journalføring skema skemaer "
            "blanket blanketter indberette indberetning rapportere rapportering rapporter "
            "registrere registrering opfølgning kontrol kontroller bureaukrati bøvl bøvlet "
            "papirarbejde administration administrativ administrative underskrift "
            "godkendelse godkendelser statistik skabeloner skabelon dobbeltarbejde",
            "nb": "dokumentasjon dokumentere dokumenterer journal journalføring skjema skjemaer "
            "rapportere rapportering rapporter registrere registrering oppfølging kontroll "
            "byråkrati papirarbeid administrasjon administrativ administrative signatur "
            "godkjenning godkjenninger statistikk maler mal dobbeltarbeid tungvint",
            "en": "documentation document documenting paperwork forms form reporting report "
            "reports register registering records recording audit audits bureaucracy red "
            "tape admin administration administrative signatures sign approval approvals "
            "statistics templates template duplicate twice",
        },
    },
    "it_systems": {
        "labels": {
            "sv": "IT-system",
            "da": "IT-systemer",
            "nb": "IT-systemer",
            "en": "IT systems",
        },
        "terms": {
            "sv": "system systemet systemen it datorer dator datorn program programmet "
            "inloggning logga lösenord uppdatering uppdateringar krånglar krashar "
            "långsamt långsamma seg segt support helpdesk skrivare skrivaren mobil telefon "
            "intranät plattform app appen digital digitala verktyg nätverk wifi uppkoppling",
            "da": "system systemet systemer it computer computere pc program programmet "
            "login logge adgangskode kodeord opdatering opdateringer crasher går ned "
            "langsomt langsom support helpdesk printer printeren mobil telefon intranet "
            "platform app appen digital digitale værktøj værktøjer netværk wifi forbindelse "
            "skærm",
            "nb": "system systemet systemer it datamaskin datamaskiner pc program programmet "
            "innlogging logge passord oppdatering oppdateringer krasjer tregt treg support "
            "brukerstøtte skriver skriveren mobil telefon teams intranett plattform app appen "
            "digital digitale verktøy nettverk wifi nett skjerm",
            "en": "system systems it computer computers laptop software program login log "
            "password passwords update updates crashes crash slow support helpdesk printer "
            "phone teams intranet platform app digital tools network wifi connection screen",
        },
    },
    "premises": {
        "labels": {
            "sv": "Lokaler och arbetsmiljö",
            "da": "Lokaler og fysisk arbejdsmiljø",
            "nb": "Lokaler og fysisk arbeidsmiljø",
            "en": "Premises",
        },
        "terms": {
            "sv": "lokal lokaler lokalen kontor kontoret kontorslandskap landskap rum rummet "
            "personalrum fikarum mötesrum ventilation luft luften ljud buller ljudnivå "
            "varmt kallt temperatur drag fukt mögel städning städat smutsigt parkering "
            "skrivbord stol stolar möbler fönster belysning ljus omklädningsrum toalett kök "
            "flytt ombyggnad renovering trångt utrymme",
            "da": "lokale lokaler lokalet kontor kontoret storrumskontor åbent rum rummet "
            "personalerum frokoststue mødelokale mødelokaler ventilation luft luften støj "
            "larm lyd varmt koldt temperatur træk fugt skimmel rengøring beskidt parkering "
            "skrivebord stol stole møbler vinduer belysning lys omklædningsrum toilet "
            "køkken flytning ombygning renovering trangt plads pladsen",
            "nb": "lokale lokaler lokalet kontor kontoret kontorlandskap landskap rom rommet "
            "pauserom møterom ventilasjon luft luften støy lyd varmt kaldt temperatur trekk "
            "fukt mugg renhold skittent parkering skrivebord stol stoler møbler vinduer "
            "belysning lys garderobe toalett kjøkken flytting ombygging oppussing trangt "
            "plass",
            "en": "premises building office offices open plan room rooms staff breakroom meeting "
            "ventilation air noise noisy loud warm cold temperature draught damp mould "
            "cleaning dirty parking desk desks chair chairs furniture windows lighting "
            "light changing toilet toilets kitchen move renovation cramped space",
        },
    },
    "collaboration": {
        "labels": {
            "sv": "Samarbete och helhetssyn",
            "da": "Samarbejde og helhedssyn",
            "nb": "Samarbeid og helhetstenkning",
            "en": "Collaboration",
        },
        "terms": {
            "sv": "samarbete samarbetar samarbeta kollegor kollega kollegorna arbetskamrater "
            "gruppen arbetsgruppen teamet team stämning sammanhållning hjälps hjälper "
            "hjälpa stöttar stötta varandra avdelningar enheter mellan förvaltningar "
            "gränser silos helhetssyn samverkan samverka överlämning överlämningar "
            "konflikter konflikt klimat gemenskap",
            "da": "samarbejde samarbejder samarbejdet kolleger kollega kollegerne kollegaer "
            "gruppen teamet team stemning sammenhold hjælper hjælpe hinanden "
            "afdelinger afdelingerne enheder mellem forvaltninger grænser siloer "
            "helhedssyn tværfagligt tværgående overlevering overleveringer konflikter konflikt "
            "klima fællesskab",
            "nb": "samarbeid samarbeider samarbeide kolleger kollega kollegene kollegaer "
            "gruppen teamet team stemning samhold hjelper hjelpe hverandre avdelinger "
            "avdelingene enheter mellom etater grenser siloer helhet tverrfaglig "
            "overlevering overleveringer konflikter konflikt miljø fellesskap",
            "en": "collaboration collaborate cooperation colleagues colleague team teams "
            "teamwork atmosphere together help helping each other departments units between "
            "silos silo handover handovers conflict conflicts climate community",
        },
    },
    "citizens": {
        "labels": {
            "sv": "Brukare och medborgare",
            "da": "Borgere og brugere",
            "nb": "Innbyggere og brukere",
            "en": "Citizens and service users",
        },
        "terms": {
            "sv": "brukare brukarna brukaren medborgare invånare kommuninvånare kund kunder "
            "patient patienter elev elever eleverna barn barnen föräldrar anhöriga "
            "vårdnadshavare omsorgstagare klient klienter sökande den enskilde boende "
            "brukarfokus bemötande service möta mötet",
            "da": "borger borgere borgerne borgeren brugere brugerne brugeren kunder patient "
            "patienter elev elever eleverne barn børn børnene forældre pårørende beboere "
            "beboerne klient klienter ansøgere den enkelte borgerfokus service møde mødet "
            "tæt",
            "nb": "innbygger innbyggere innbyggerne bruker brukere brukerne brukeren kunder "
            "pasient pasienter elev elever elevene barn barna foreldre pårørende beboere "
            "beboerne klient klienter søkere den enkelte brukerfokus service møte møtet",
            "en": "citizens citizen residents resident users user clients client customers "
            "patients patient pupils pupil students children kids parents families relatives "
            "service public people serve",
        },
    },
    "trust": {
        "labels": {
            "sv": "Tillit och delegering",
            "da": "Tillid og delegering",
            "nb": "Tillit og delegering",
            "en": "Trust and delegation",
        },
        "terms": {
            "sv": "tillit förtroende lita litar delegera delegering mandat befogenheter "
            "bestämma besluta beslut beslutsvägar frihet frihetsgrad handlingsutrymme "
            "detaljstyrning detaljstyrd styrning styrs kontrollera kontrollerad misstro "
            "självständigt självständighet själva påverka inflytande professionella "
            "omdöme",
            "da": "tillid tiltro stole stoler delegere delegering mandat kompetencer "
            "bestemme beslutte beslutning beslutninger frihed frirum handlerum råderum "
            "detailstyring detailstyret styring styres kontrollere kontrolleret mistillid "
            "selvstændigt selvstændighed selv påvirke indflydelse faglighed dømmekraft "
            "skøn",
            "nb": "tillit tiltro stole stoler delegere delegering mandat fullmakter bestemme "
            "beslutte beslutning beslutninger frihet handlingsrom spillerom detaljstyring "
            "detaljstyrt styring styres kontrollere kontrollert mistillit selvstendig "
            "selvstendighet selv påvirke innflytelse faglig skjønn",
            "en": "trust trusted trusting distrust delegate delegation mandate authority "
            "decide decisions decision freedom autonomy discretion micromanagement "
            "micromanaged micromanage control controlled controlling independently "
            "influence professional judgement judgment",
        },
    },
    "competence": {
        "labels": {
            "sv": "Kunskap och kompetensutveckling",
            "da": "Viden og kompetenceudvikling",
            "nb": "Kunnskap og kompetanseutvikling",
            "en": "Knowledge and development",
        },
        "terms": {
            "sv": "kompetens kompetensutveckling utbildning utbildningar kurs kurser "
            "fortbildning handledning introduktion lära lärande kunskap utveckling "
            "utvecklas karriär",
            "da": "kompetence kompetenceudvikling uddannelse uddannelser kursus kurser "
            "efteruddannelse supervision introduktion lære læring viden udvikling "
            "udvikle karriere",
            "nb": "kompetanse kompetanseutvikling utdanning opplæring kurs kursene "
            "etterutdanning veiledning introduksjon lære læring kunnskap utvikling "
            "utvikle karriere",
            "en": "competence skills training course courses supervision induction "
            "onboarding learning learn knowledge development develop career",
        },
    },
    "openness": {
        "labels": {
            "sv": "Öppenhet och information",
            "da": "Åbenhed og information",
            "nb": "Åpenhet og informasjon",
            "en": "Openness and information",
        },
        "terms": {
            "sv": "information informationen informera informerade kommunikation kommunicera "
            "öppenhet öppet transparens insyn förankring förankrat omorganisation "
            "omorganisationer förändringar förändring besked",
            "da": "information informationen informere informeret kommunikation kommunikere "
            "åbenhed åbent gennemsigtighed indsigt forankring forankret omorganisering "
            "omorganiseringer forandringer forandring besked",
            "nb": "informasjon informasjonen informere informert kommunikasjon kommunisere "
            "åpenhet åpent innsyn forankring forankret omorganisering omorganiseringer "
            "endringer endring beskjed",
            "en": "information informed inform communication communicate openness open "
            "transparency transparent reorganisation reorganization restructuring changes "
            "change",
        },
    },
    "pay": {
        "labels": {
            "sv": "Lön och villkor",
            "da": "Løn og vilkår",
            "nb": "Lønn og vilkår",
            "en": "Pay and conditions",
        },
        "terms": {
            "sv": "lön lönen löner lönesättning lönsamtal villkor förmåner friskvård "
            "anställning anställningar visstid",
            "da": "løn lønnen lønninger vilkår goder personalegoder ansættelse ansættelser "
            "tidsbegrænset",
            "nb": "lønn lønnen lønninger vilkår goder ansettelse ansettelser midlertidig",
            "en": "pay salary salaries wage wages conditions benefits contract contracts temporary",
        },
    },
}
